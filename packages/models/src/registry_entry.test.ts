import { build } from 'esbuild';
import { resolve } from 'node:path';

// `@wavemix/models/registry` is for apps that only list models: it must not reach tfjs-layers
// (~100 KB gzip) or @wavemix/layers, which registers its layers on import.
describe('@wavemix/models/registry entry', () => {
  it('bundles without @wavemix/layers, tfjs-layers or tfjs-core', async () => {
    const root = resolve(__dirname, '../../..');
    const result = await build({
      absWorkingDir: root,
      entryPoints: [resolve(__dirname, 'registry.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      metafile: true,
      tsconfig: resolve(root, 'tsconfig.base.json'),
      logLevel: 'silent',
    });
    // What ends up in the bundle (the metafile's inputs also list modules tree-shaken away).
    const [output] = Object.values(result.metafile.outputs);
    const inputs = Object.entries(output!.inputs)
      .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
      .map(([file]) => file);
    expect(inputs).toContain('packages/models/src/registry.ts');
    expect(inputs.filter((file) => /packages\/layers\/|tfjs-layers|tfjs-core/.test(file))).toEqual([]);
  });
});

// Bundles scripts/gpu-check.ts into dist-gpu-check/gpu-check.mjs and copies the `webgpu` package
// (JS entry and this platform's prebuilt dawn.node) beside it: one folder to copy to a GPU machine.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, '..');
const outDir = join(packageDir, 'dist-gpu-check');
rmSync(outDir, { recursive: true, force: true });

await build({
  entryPoints: [join(here, 'gpu-check.ts')],
  outfile: join(outDir, 'gpu-check.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['webgpu'],
  tsconfig: resolve(packageDir, '../../tsconfig.base.json'),
  // tfjs's node builds are CommonJS and call require().
  banner: {
    js: "import { createRequire as __wavemixCreateRequire } from 'node:module'; const require = __wavemixCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

const webgpuDir = dirname(createRequire(import.meta.url).resolve('webgpu/package.json'));
const target = join(outDir, 'node_modules', 'webgpu');
mkdirSync(join(target, 'dist'), { recursive: true });
for (const file of ['package.json', 'index.js', 'LICENSE.md']) cpSync(join(webgpuDir, file), join(target, file));
const platform = process.platform === 'darwin' ? 'darwin-universal' : `${process.platform}-${process.arch}`;
cpSync(join(webgpuDir, 'dist', platform), join(target, 'dist', platform), { recursive: true });
// The Vulkan loader, for GPU hosts that lack it (use with LD_LIBRARY_PATH=dist-gpu-check/lib).
const loader = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1'].find((file) =>
  existsSync(file),
);
if (loader) {
  mkdirSync(join(outDir, 'lib'), { recursive: true });
  cpSync(realpathSync(loader), join(outDir, 'lib', 'libvulkan.so.1'));
}
console.log(`built ${join(outDir, 'gpu-check.mjs')} with webgpu (${platform}) beside it`);

// Gzip bundle sizes per entry point, from the installed tarballs, compared with
// docs/bundle-sizes.md (the rows between the bundle-sizes markers): more than 10 % over the
// recorded figure fails. `--update-sizes` rewrites the rows with today's figures instead.
//
// An entry's figure: esbuild bundle of `export * from '<entry>'`, minified, gzip level 9, with
// tfjs, Node built-ins and optional peers external (what the entry adds to an app that already has
// tfjs). The scenario rows bundle everything, tfjs included, as a browser app would.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { REPO_ROOT, installProject, publishablePackages } from '../readme-check/install.mjs';

const DOC = join(REPO_ROOT, 'docs/bundle-sizes.md');
const BEGIN = '<!-- bundle-sizes:begin -->';
const END = '<!-- bundle-sizes:end -->';
const GROWTH = 1.1;
const NODE_ONLY = /\/node$|^@wavemix\/(kernels-node|parallel)$/;

const gzipBytes = (text) => gzipSync(Buffer.from(text), { level: 9 }).length;

async function bundle(project, code, { platform, externalTfjs }) {
  const optionalPeers = [];
  for (const { manifest } of publishablePackages().values()) {
    for (const [peer, meta] of Object.entries(manifest.peerDependenciesMeta ?? {}))
      if (meta.optional) optionalPeers.push(peer);
  }
  const result = await build({
    stdin: { contents: code, resolveDir: project, loader: 'js' },
    absWorkingDir: project,
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform,
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
    external: [...(externalTfjs ? ['@tensorflow/*'] : []), 'node:*', ...builtinModules, ...optionalPeers, 'webgpu'],
  });
  return gzipBytes(result.outputFiles[0].text);
}

function recorded() {
  const text = readFileSync(DOC, 'utf8');
  const rows = new Map();
  const block = text.slice(text.indexOf(BEGIN), text.indexOf(END));
  for (const [, name, bytes] of block.matchAll(/^\| (.+?) \| ([\d,]+) \|/gm))
    rows.set(name, Number(bytes.replace(/,/g, '')));
  return { text, rows };
}

/** Measures, compares (or records with `update`); returns failure messages. */
export async function checkSizes({ work, tarballs, viteAssets, update }) {
  const packages = publishablePackages();
  const project = join(work, 'sizes');
  mkdirSync(project);
  installProject({
    project,
    tarballs: [...tarballs.values()].map((t) => t.file),
    dependencies: [
      ...new Set(
        [...packages.values()].flatMap(({ manifest }) =>
          Object.keys(manifest.peerDependencies ?? {}).filter(
            (peer) => !manifest.peerDependenciesMeta?.[peer]?.optional,
          ),
        ),
      ),
    ],
    manifest: { type: 'module' },
  });
  const measured = new Map();
  for (const [name, { manifest }] of packages) {
    for (const key of Object.keys(manifest.exports).filter((k) => !k.endsWith('.json'))) {
      const entry = key === '.' ? name : `${name}/${key.slice(2)}`;
      const platform = NODE_ONLY.test(entry) ? 'node' : 'browser';
      measured.set(
        `\`${entry}\` (${platform})`,
        await bundle(project, `export * from '${entry}';`, { platform, externalTfjs: true }),
      );
    }
  }
  const scenario = (code) => bundle(project, code, { platform: 'browser', externalTfjs: false });
  measured.set(
    'app: `listModels` from `@wavemix/models/registry`, tfjs included',
    await scenario(`import { listModels } from '@wavemix/models/registry'; console.log(listModels());`),
  );
  measured.set(
    'app: `listModels` from `@wavemix/models`, tfjs included',
    await scenario(`import { listModels } from '@wavemix/models'; console.log(listModels());`),
  );
  measured.set(
    'app: examples/vite-browser, all JS (Vite build)',
    viteAssets.reduce((sum, file) => sum + gzipBytes(readFileSync(file)), 0),
  );

  const { text, rows } = recorded();
  const failures = [];
  for (const [name, bytes] of measured) {
    const before = rows.get(name);
    const note = before === undefined ? 'not recorded' : `${(((bytes - before) / before) * 100).toFixed(1)} %`;
    console.log(`     ${name}: ${bytes} bytes gzip (${note})`);
    if (update) continue;
    if (before === undefined)
      failures.push(
        `bundle size of ${name} is not recorded in docs/bundle-sizes.md: run with --update-sizes and say why it is new`,
      );
    else if (bytes > before * GROWTH)
      failures.push(
        `bundle size of ${name} grew from ${before} to ${bytes} bytes gzip (> 10 %): explain it in docs/bundle-sizes.md and record it with --update-sizes`,
      );
  }
  if (update) {
    const table = [
      '| entry | gzip bytes |',
      '|---|---:|',
      ...[...measured].map(([name, bytes]) => `| ${name} | ${bytes} |`),
    ].join('\n');
    writeFileSync(
      DOC,
      `${text.slice(0, text.indexOf(BEGIN) + BEGIN.length)}\n${table}\n${text.slice(text.indexOf(END))}`,
    );
    console.log('recorded the sizes in docs/bundle-sizes.md');
  }
  return failures;
}

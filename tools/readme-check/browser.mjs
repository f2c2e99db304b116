// Browser blocks: each bundled with esbuild from the consumer project (so the tarballs' own
// package.json `exports`/`browser` fields apply), served from 127.0.0.1 with the checkpoint mirror
// under /weights/, and run as a module script in headless Chromium (Debian's, SwiftShader WebGL2
// and WebGPU; the flags of tools/browser-harness). A block passes when its top level completes
// without an uncaught error; every non-loopback request is aborted and counted as a failure.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { build } from 'esbuild';
import { CHROMIUM_FLAGS, DEBIAN_CHROMIUM } from '@wavemix/browser-harness';
import { chromium } from 'playwright-core';

const TYPES = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };

/** Serves `pages` (path -> text) and files under `weights` at /weights/, on 127.0.0.1. */
async function serve(pages, weights) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (pages.has(path)) {
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'text/html' }).end(pages.get(path));
      return;
    }
    if (path.startsWith('/weights/')) {
      const file = normalize(join(weights, path.slice('/weights/'.length)));
      if (file.startsWith(weights) && existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
        return;
      }
    }
    res.writeHead(404).end('not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** Runs each block in its own page; returns the number of failures. */
export async function runBrowserBlocks(blocks, { project, weights }) {
  const pages = new Map();
  for (const block of blocks) {
    const entry = join(project, 'run', `${block.id}.browser.ts`);
    // Completion is signalled after the block's own top-level awaits.
    writeFileSync(entry, `${block.prelude}\n${block.code}\n;(globalThis as any).__readmeDone = true;\nexport {};\n`);
    const result = await build({
      entryPoints: [entry],
      absWorkingDir: project,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'error',
      // Node-only modules some packages reference behind runtime checks.
      external: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'crypto', 'url', 'module'],
    });
    pages.set(`/${block.id}.js`, result.outputFiles[0].text);
    pages.set(
      `/${block.id}.html`,
      `<!doctype html><meta charset="utf-8"><body><script type="module" src="/${block.id}.js"></script></body>`,
    );
  }
  const { server, origin } = await serve(pages, weights);
  const browser = await chromium.launch({
    executablePath: process.env.WAVEMIX_CHROMIUM ?? DEBIAN_CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: 60_000,
  });
  let failures = 0;
  try {
    for (const block of blocks) {
      const t0 = Date.now();
      const page = await browser.newPage();
      const errors = [];
      const foreign = [];
      page.on('pageerror', (error) => errors.push(error.stack ?? String(error)));
      const output = [];
      page.on('console', (message) => {
        output.push(message.text());
        if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
      });
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:')
          return route.continue();
        foreign.push(url.href);
        return route.abort();
      });
      try {
        await page.goto(`${origin}/${block.id}.html`);
        await page
          .waitForFunction(() => globalThis.__readmeDone === true, undefined, { timeout: 240_000, polling: 100 })
          .catch((error) => {
            if (!errors.length) errors.push(`did not finish: ${error.message}`);
          });
      } finally {
        await page.close();
      }
      if (foreign.length) errors.push(`non-local requests: ${foreign.join(', ')}`);
      const text = output.join('\n');
      for (const expected of block.expect)
        if (!text.includes(expected)) errors.push(`output lacks ${JSON.stringify(expected)}:\n${text}`);
      const took = `${((Date.now() - t0) / 1000).toFixed(1)} s`;
      if (errors.length) {
        failures++;
        console.error(`FAIL ${block.file}:${block.line} (browser, ${took}):\n${errors.join('\n')}`);
      } else {
        console.log(`ok   ${block.file}:${block.line} (browser, ${took})`);
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  return failures;
}

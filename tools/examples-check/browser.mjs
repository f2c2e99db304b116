// A static file server on 127.0.0.1 and one headless Chromium page (Debian's chromium, WebGL2 and
// WebGPU on SwiftShader, as tools/browser-harness launches it) for the Vite example.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { CHROMIUM_FLAGS, DEBIAN_CHROMIUM } from '@wavemix/browser-harness';
import { chromium } from 'playwright-core';

const TYPES = {
  '.js': 'text/javascript',
  '.html': 'text/html',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
};

/** Serves `root`, plus each `mounts` prefix (e.g. '/weights/') from its folder; nothing outside them. */
export async function serveStatic(root, mounts = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const [prefix, folder] = Object.entries(mounts).find(([p]) => path.startsWith(p)) ?? ['/', root];
    const file = normalize(join(folder, path.slice(prefix.length)));
    if (file.startsWith(folder) && existsSync(file) && statSync(file).isFile()) {
      res
        .writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
        .end(readFileSync(file));
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

/** Opens `url`, waits for `globalThis.wavemixResult`; non-loopback requests are aborted and reported. */
export async function runPage(url, timeout = 240_000) {
  const browser = await chromium.launch({
    executablePath: process.env.WAVEMIX_CHROMIUM ?? DEBIAN_CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    timeout: 60_000,
  });
  const errors = [];
  const foreign = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => errors.push(error.stack ?? String(error)));
    await page.route('**/*', (route) => {
      const target = new URL(route.request().url());
      if (target.hostname === '127.0.0.1' || target.protocol === 'data:' || target.protocol === 'blob:')
        return route.continue();
      foreign.push(target.href);
      return route.abort();
    });
    await page.goto(url);
    const handle = await page.waitForFunction(() => globalThis.wavemixResult, undefined, { timeout, polling: 200 });
    return { result: await handle.jsonValue(), errors, foreign };
  } catch (error) {
    errors.push(error.message);
    return { result: undefined, errors, foreign };
  } finally {
    await browser.close();
  }
}

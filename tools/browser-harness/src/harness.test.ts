import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLocalUrl } from './is_local';
import { launchChromium } from './chromium';
import { openPage } from './page_session';
import { startLocalServer } from './local_server';

test('isLocalUrl: loopback and in-page schemes are local, anything else is not', () => {
  for (const url of [
    'http://127.0.0.1:8080/a.js',
    'http://localhost/x',
    'ws://127.0.0.1:9/',
    'http://[::1]:3000/',
    'data:text/plain,hi',
    'blob:http://127.0.0.1/abc',
    'about:blank',
  ]) {
    expect([url, isLocalUrl(url)]).toEqual([url, true]);
  }
  for (const url of [
    'https://cdn.jsdelivr.net/npm/x',
    'http://10.0.0.1/',
    'http://example.invalid/',
    'ftp://127.0.0.1/',
    'not a url',
    'http://localhost.example.com/',
  ]) {
    expect([url, isLocalUrl(url)]).toEqual([url, false]);
  }
});

test('the local server serves memory files and a directory, and nothing outside it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'wavemix-serve-'));
  writeFileSync(join(root, 'data.json'), '{"ok":true}');
  const server = await startLocalServer({ files: { '/index.html': '<p>hi</p>' }, root });
  try {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const index = await fetch(`${server.origin}/`);
    expect([index.status, index.headers.get('content-type'), await index.text()]).toEqual([
      200,
      'text/html; charset=utf-8',
      '<p>hi</p>',
    ]);
    expect(await (await fetch(`${server.origin}/data.json`)).json()).toEqual({ ok: true });
    expect((await fetch(`${server.origin}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
    expect((await fetch(`${server.origin}/missing.js`)).status).toBe(404);
  } finally {
    await server.close();
  }
});

test('a page that requests a non-local URL is caught (and the request never leaves the browser)', async () => {
  const html = `<!doctype html><script>
    fetch('/local.json').then(() => fetch('https://cdn.example.invalid/tfjs.js')).catch(() => {}).finally(() => { window.done = true; });
  </script>`;
  const server = await startLocalServer({ files: { '/index.html': html, '/local.json': '{}' } });
  const browser = await launchChromium();
  try {
    const session = await openPage(browser.context, `${server.origin}/`);
    await session.page.waitForFunction(() => (window as unknown as { done?: boolean }).done === true);
    expect(session.nonLocalRequests).toEqual(['https://cdn.example.invalid/tfjs.js']);
    expect(session.requests).toContain(`${server.origin}/local.json`);
    expect(() => session.assertClean()).toThrow(/non-local request: https:\/\/cdn\.example\.invalid\/tfjs\.js/);
    expect(server.requests).toEqual(['/', '/local.json']);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('a clean local page passes, and WebGL2 and WebGPU are available without a GPU', async () => {
  const html = `<!doctype html><script>
    window.caps = (async () => ({ webgl2: !!document.createElement('canvas').getContext('webgl2'),
      webgpu: !!(navigator.gpu && await navigator.gpu.requestAdapter()) }))();
  </script>`;
  const server = await startLocalServer({ files: { '/index.html': html } });
  const browser = await launchChromium();
  try {
    const session = await openPage(browser.context, `${server.origin}/`);
    const caps = await session.page.evaluate(() => (window as unknown as { caps: Promise<unknown> }).caps);
    expect(caps).toEqual({ webgl2: true, webgpu: true });
    expect(session.nonLocalRequests).toEqual([]);
    expect(() => session.assertClean()).not.toThrow();
  } finally {
    await browser.close();
    await server.close();
  }
});

import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.bin': 'application/octet-stream',
  '.safetensors': 'application/octet-stream',
};

export interface LocalServerOptions {
  /** Files served from memory, by URL path (e.g. `/index.html`, `/page.js`); checked first. */
  files?: Record<string, string | Uint8Array>;
  /** A directory served under `/`; paths outside it are refused. */
  root?: string;
}

export interface LocalServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** Every path requested, in order (for reports). */
  readonly requests: string[];
  close(): Promise<void>;
}

/** A static server on 127.0.0.1 and a free port: in-memory files, then an optional directory. */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const root = options.root ? resolve(options.root) : undefined;
  const files = options.files ?? {};
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      requests.push(path);
      const key = path === '/' ? '/index.html' : path;
      let body: string | Uint8Array | undefined = files[key];
      if (body === undefined && root) {
        const file = normalize(join(root, key));
        if ((file === root || file.startsWith(root + sep)) && (await stat(file).catch(() => null))?.isFile()) {
          body = await readFile(file);
        }
      }
      if (body === undefined) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
        return;
      }
      response
        .writeHead(200, {
          'content-type': CONTENT_TYPES[extname(key)] ?? 'application/octet-stream',
          'cache-control': 'no-store',
        })
        .end(body);
    })().catch((error: Error) => response.writeHead(500).end(error.message));
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createModel } from '../create_model';
import { exportPyTorchWeights } from '../pytorch/bridge';
import { getModelInfo } from '../registry';
import { load } from './predictor';
import { OFFICIAL_WEIGHTS_BASE_URL, WaveMixWeightsError, mirroredUrl, verifyCheckpoint } from './weights';

const NAME = 'cifar10-wavemix-lite-144-7';
let checkpoint: Uint8Array;
let reference: Float32Array;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const source = createModel(NAME);
  checkpoint = exportPyTorchWeights(source);
  reference = source.getLayer('pool.2').getWeights()[1]!.dataSync() as Float32Array;
  source.dispose();
});

afterEach(() => {
  delete process.env.WAVEMIX_WEIGHTS_BASE_URL;
});

/** A file server on 127.0.0.1 answering `files` by path (404 otherwise), recording each request. */
async function serve(files: Record<string, Uint8Array>): Promise<{ base: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url!);
    const body = files[req.url!];
    res.writeHead(body ? 200 : 404).end(body ?? 'not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const biasOf = (model: tf.LayersModel) => model.getLayer('pool.2').getWeights()[1]!.dataSync();

describe('mirroredUrl', () => {
  it('keeps the path below the official base, else the file name', () => {
    const official = getModelInfo(NAME).weightsUrl!;
    expect(official).toBe(`${OFFICIAL_WEIGHTS_BASE_URL}/cifar10/cifar10_94.58.pth`);
    expect(mirroredUrl(official, 'https://mirror.example/wm/')).toBe(
      'https://mirror.example/wm/cifar10/cifar10_94.58.pth',
    );
    expect(mirroredUrl('https://elsewhere.example/a/b/w.pth', '/srv/weights')).toBe('/srv/weights/w.pth');
  });
});

describe('load() without network', () => {
  it('wraps a refused connection in WaveMixWeightsError naming the URL, the original as cause', async () => {
    const base = `http://127.0.0.1:${await closedPort()}`;
    const error = await load(NAME, { weightsBaseUrl: base }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaveMixWeightsError);
    const weightsError = error as WaveMixWeightsError;
    expect(weightsError.location).toBe(`${base}/cifar10/cifar10_94.58.pth`);
    expect(weightsError.message).toContain(
      `${base}/cifar10/cifar10_94.58.pth: fetching the checkpoint failed: fetch failed (ECONNREFUSED)`,
    );
    expect(weightsError.message).toContain('WAVEMIX_WEIGHTS_BASE_URL');
    expect((weightsError.cause as Error).name).toBe('TypeError');
    expect((weightsError.cause as Error).message).toBe('fetch failed');
  });

  it('wraps an unreachable model.json URL the same way', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/model/model.json`;
    const error = await load(url).catch((e: unknown) => e);
    expect(WaveMixWeightsError.isInstance(error)).toBe(true);
    expect((error as WaveMixWeightsError).location).toBe(url);
    expect((error as Error).message).toMatch(new RegExp(`^${url.replace(/[.]/g, '\\.')}: loading the model failed: `));
    expect((error as Error).cause).toBeDefined();
  });

  it('names the official URL when its fetch throws', async () => {
    const offline = new TypeError('fetch failed');
    const error = await load(NAME, { fetch: () => Promise.reject(offline) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaveMixWeightsError);
    expect((error as WaveMixWeightsError).location).toBe(getModelInfo(NAME).weightsUrl);
    expect((error as WaveMixWeightsError).cause).toBe(offline);
  });

  it('reports an HTTP failure of a mirror with its status', async () => {
    const { base, server } = await serve({});
    try {
      await expect(load(NAME, { weightsBaseUrl: base })).rejects.toThrow(
        new RegExp(
          `^${base.replace(/\./g, '\\.')}/cifar10/cifar10_94\\.58\\.pth: fetching the checkpoint failed with HTTP 404`,
        ),
      );
    } finally {
      server.close();
    }
  });
});

describe('load() from a mirror or a local copy', () => {
  it('fetches the published checkpoint from WAVEMIX_WEIGHTS_BASE_URL on a local server', async () => {
    const { base, requests, server } = await serve({ '/mirror/cifar10/cifar10_94.58.pth': checkpoint });
    try {
      process.env.WAVEMIX_WEIGHTS_BASE_URL = `${base}/mirror/`;
      const predictor = await load(NAME, { sha256: sha256(checkpoint) });
      expect(requests).toEqual(['/mirror/cifar10/cifar10_94.58.pth']);
      expect(Array.from(biasOf(predictor.model))).toEqual(Array.from(reference));
      predictor.dispose();
    } finally {
      server.close();
    }
  });

  it('reads options.weights from a file path and a file:// URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wavemix-weights-'));
    try {
      const file = join(dir, 'copy.safetensors');
      writeFileSync(file, checkpoint);
      for (const weights of [file, pathToFileURL(file).href]) {
        const predictor = await load(NAME, { weights });
        expect(Array.from(biasOf(predictor.model))).toEqual(Array.from(reference));
        predictor.dispose();
      }
      const missing = join(dir, 'missing.pth');
      const error = await load(NAME, { weights: missing }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WaveMixWeightsError);
      expect((error as Error).message).toContain(`${missing}: reading the checkpoint failed: `);
      expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a checkpoint whose SHA-256 differs, before building the model', async () => {
    const tampered = checkpoint.slice();
    tampered[0] = tampered[0]! ^ 1;
    const before = tf.memory().numTensors;
    const error = await load(NAME, {
      fetch: async () => ({ ok: true, status: 200, arrayBuffer: async () => tampered.slice().buffer }),
      sha256: sha256(checkpoint),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaveMixWeightsError);
    expect((error as Error).message).toContain(`SHA-256 is ${sha256(tampered)}, expected ${sha256(checkpoint)}`);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('verifyCheckpoint', () => {
  const bytes = new TextEncoder().encode('abc');
  // SHA-256("abc") from FIPS 180-2, appendix B.1.
  const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

  it('accepts the right size and hash (either case) and refuses others', async () => {
    await expect(verifyCheckpoint(bytes, { bytes: 3, sha256: ABC.toUpperCase() }, 'abc.pth')).resolves.toBeUndefined();
    await expect(verifyCheckpoint(bytes, { bytes: 4 }, 'abc.pth')).rejects.toThrow('abc.pth: expected 4 bytes, got 3');
    await expect(verifyCheckpoint(bytes, { sha256: '0'.repeat(64) }, 'abc.pth')).rejects.toThrow(`SHA-256 is ${ABC}`);
  });
});

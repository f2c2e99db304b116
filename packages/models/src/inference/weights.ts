/**
 * Where `load()` gets a registry model's checkpoint: bytes, a URL, a local file, or the official
 * URL rebased onto a mirror (`options.weightsBaseUrl` or `WAVEMIX_WEIGHTS_BASE_URL`), checked
 * against the size and SHA-256 when they are known. Browser-safe: `node:fs` is loaded only when
 * a file path is given.
 */
import { WaveMixError } from '@wavemix/core';

/** The official checkpoints' location; a mirror keeps the layout below it (`cifar10/cifar10_94.58.pth`). */
export const OFFICIAL_WEIGHTS_BASE_URL = 'https://huggingface.co/cloudwalker/wavemix/resolve/main/Saved_Models_Weights';

/** The environment variable naming a mirror of the official checkpoints (a URL or a folder). */
export const WEIGHTS_BASE_URL_ENV = 'WAVEMIX_WEIGHTS_BASE_URL';

/**
 * A checkpoint (or a model.json URL) could not be fetched or read, or is not the expected file;
 * `location` is its URL or path, `cause` the original error.
 */
export class WaveMixWeightsError extends WaveMixError {
  constructor(
    readonly location: string,
    message: string,
    cause?: unknown,
  ) {
    super(`${location}: ${message}`, cause === undefined ? undefined : { cause });
  }
}

export type FetchLike = (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

export interface ExpectedCheckpoint {
  /** Size in bytes. */
  bytes?: number;
  /** Lower-case hex SHA-256. */
  sha256?: string;
}

const HINT =
  `pass options.weights (the checkpoint's bytes, a file path or a URL), or point options.weightsBaseUrl or ` +
  `the ${WEIGHTS_BASE_URL_ENV} environment variable at a mirror of ${OFFICIAL_WEIGHTS_BASE_URL}`;

/** The mirror named by the environment, in Node; undefined in browsers. */
export function weightsBaseUrlFromEnv(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[WEIGHTS_BASE_URL_ENV]?.trim();
  return value ? value : undefined;
}

/** The official URL rebased onto `base`: the path below the official base is kept, else the file name. */
export function mirroredUrl(officialUrl: string, base: string): string {
  const relative = officialUrl.startsWith(`${OFFICIAL_WEIGHTS_BASE_URL}/`)
    ? officialUrl.slice(OFFICIAL_WEIGHTS_BASE_URL.length + 1)
    : officialUrl.slice(officialUrl.lastIndexOf('/') + 1);
  return `${base.replace(/\/+$/, '')}/${relative}`;
}

const inNode = () =>
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';

/** In Node a location without a scheme is a file path; in a browser it is a URL relative to the page. */
const isUrl = (location: string) =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(location) ? !location.startsWith('file://') : !inNode();

export function describeCause(error: unknown): string {
  // Duck-typed: errors from another realm (a worker, a vm context) fail `instanceof Error`.
  if (typeof error !== 'object' || error === null || typeof (error as Error).message !== 'string') return String(error);
  const { message, cause } = error as Error;
  // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is its cause.
  const inner = cause as { code?: string; message?: string } | undefined;
  const detail = inner?.code ?? inner?.message;
  return detail ? `${message} (${detail})` : message;
}

async function fetchBytes(url: string, fetchFn: FetchLike | undefined): Promise<Uint8Array> {
  const fn = fetchFn ?? (globalThis.fetch as unknown as FetchLike | undefined);
  if (!fn) throw new WaveMixWeightsError(url, `no fetch() in this environment; pass options.fetch, or ${HINT}`);
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fn(url);
  } catch (error) {
    throw new WaveMixWeightsError(url, `fetching the checkpoint failed: ${describeCause(error)}; ${HINT}`, error);
  }
  if (!response.ok)
    throw new WaveMixWeightsError(url, `fetching the checkpoint failed with HTTP ${response.status}; ${HINT}`);
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new WaveMixWeightsError(url, `reading the response failed: ${describeCause(error)}; ${HINT}`, error);
  }
}

async function readFileBytes(location: string): Promise<Uint8Array> {
  if (!inNode())
    throw new WaveMixWeightsError(location, 'a file path can only be read in Node; pass a URL or the bytes');
  // A computed specifier keeps bundlers from pulling node:fs into browser builds.
  const specifier = 'node:fs/promises';
  const fs = (await import(
    /* @vite-ignore */ /* webpackIgnore: true */ specifier
  )) as typeof import('node:fs/promises');
  const path = location.startsWith('file://') ? decodeURIComponent(new URL(location).pathname) : location;
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (error) {
    throw new WaveMixWeightsError(location, `reading the checkpoint failed: ${describeCause(error)}; ${HINT}`, error);
  }
}

/** The bytes at a URL (fetched; relative URLs in browsers) or a file path / `file://` URL (read, Node only). */
export function readCheckpoint(location: string, fetchFn?: FetchLike): Promise<Uint8Array> {
  return isUrl(location) ? fetchBytes(location, fetchFn) : readFileBytes(location);
}

const toHex = (digest: ArrayBuffer) =>
  Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');

/** Throws `WaveMixWeightsError` when the bytes are not the expected checkpoint (size first, then SHA-256). */
export async function verifyCheckpoint(
  bytes: Uint8Array,
  expected: ExpectedCheckpoint,
  location: string,
): Promise<void> {
  if (expected.bytes !== undefined && bytes.byteLength !== expected.bytes) {
    throw new WaveMixWeightsError(
      location,
      `expected ${expected.bytes} bytes, got ${bytes.byteLength} (a truncated download or another file?)`,
    );
  }
  if (expected.sha256 === undefined) return;
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new WaveMixWeightsError(
      location,
      'cannot check its SHA-256: crypto.subtle is unavailable (browsers offer it only in secure contexts); pass sha256: null to skip the check',
    );
  }
  const actual = toHex(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  if (actual !== expected.sha256.toLowerCase()) {
    throw new WaveMixWeightsError(
      location,
      `SHA-256 is ${actual}, expected ${expected.sha256.toLowerCase()} (a corrupted or different checkpoint)`,
    );
  }
}

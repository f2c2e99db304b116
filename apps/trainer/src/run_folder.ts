/**
 * The run folder: its layout (checkpoints, metrics, the final result, the config) and the check
 * that it can be written before any data is loaded. Disk problems (full, read-only, no
 * permission) become `UsageError`s that name the path.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from './errors';

export interface RunPaths {
  output: string;
  checkpoints: string;
  last: string;
  /** The `last` before the newest: what a resume falls back to when `last` is corrupt. */
  previous: string;
  best: string;
  metrics: string;
  final: string;
  config: string;
}

export function runPaths(output: string): RunPaths {
  const root = resolve(output);
  const checkpoints = join(root, 'checkpoints');
  return {
    output: root,
    checkpoints,
    last: join(checkpoints, 'last.safetensors'),
    previous: join(checkpoints, 'previous.safetensors'),
    best: join(checkpoints, 'best.safetensors'),
    metrics: join(root, 'metrics.jsonl'),
    final: join(root, 'final.json'),
    config: join(root, 'config.json'),
  };
}

/** errno codes that mean "this disk or folder cannot take the run's files". */
const DISK_PROBLEMS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a path component is a file, not a folder',
};

/** A disk problem as a `UsageError` naming `path`; any other error unchanged. */
export function diskError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === undefined || !(code in DISK_PROBLEMS)) return error;
  return new UsageError(
    `cannot write ${path}: ${DISK_PROBLEMS[code]} (${code}); free space or choose another --output`,
  );
}

/** Runs a write, turning disk problems into `UsageError`s that name `path`. */
export function writingTo<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw diskError(error, path);
  }
}

export async function writingToAsync<T>(path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw diskError(error, path);
  }
}

/**
 * Creates the run folder and proves it takes a file (write, fsync, delete), so a read-only or
 * full disk fails before minutes of data loading rather than at the first checkpoint.
 */
export function ensureWritable(paths: RunPaths): void {
  writingTo(paths.checkpoints, () => mkdirSync(paths.checkpoints, { recursive: true }));
  const probe = join(paths.checkpoints, `.write-test-${process.pid}`);
  writingTo(probe, () => {
    const fd = openSync(probe, 'w');
    try {
      writeSync(fd, new Uint8Array(4096));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
      rmSync(probe, { force: true });
    }
  });
}

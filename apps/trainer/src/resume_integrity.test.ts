// Hostile and damaged run folders (issue 12): every checkpoint is verified before its weights are
// used, a corrupt `last` falls back to `previous` or stops with exit code 4 naming each file,
// metrics.jsonl is rewound to the checkpoint, and an unwritable folder is a usage error (exit 2).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors, writeSafetensors, type SafetensorsInput } from '@wavemix/core';
import { AdamW, createModel } from '@wavemix/models';
import { CheckpointError, readCheckpoint, type TrainState } from './checkpoint';
import { UsageError } from './errors';
import { main } from './main';
import { RunCheckpoints } from './run_checkpoints';
import { ensureWritable, runPaths } from './run_folder';
import { rewindMetrics } from './run_log';

const MODEL = {
  task: 'classification',
  depth: 1,
  mult: 1,
  ffChannel: 4,
  finalDim: 4,
  dropout: 0,
  level: 1,
  initialConv: 'strided',
  stride: 1,
  numClasses: 3,
  inChannels: 1,
  inputSize: [8, 8],
} as const;

const state = (step: number): TrainState => ({
  configHash: 'abc',
  config: { lr: 0.001 },
  epoch: 0,
  step,
  pipeline: null,
  rng: [1, 2, 3, 4],
  phase: 'adamw',
  phaseStartEpoch: 0,
  bestMetric: null,
  bestEpoch: null,
  epochsWithoutImprovement: 0,
  elapsedSeconds: 1,
  finished: false,
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A run folder whose `previous` holds step 1 and `last` step 2. */
async function runFolder(): Promise<{ dir: string; paths: ReturnType<typeof runPaths>; checkpoints: RunCheckpoints }> {
  const dir = mkdtempSync(join(tmpdir(), 'integrity-'));
  const paths = runPaths(dir);
  mkdirSync(paths.checkpoints, { recursive: true });
  const model = createModel(MODEL);
  const optimizer = new AdamW({ learningRate: 0.01 });
  const checkpoints = new RunCheckpoints(paths);
  await checkpoints.saveLast(model, optimizer, state(1));
  await checkpoints.saveLast(model, optimizer, state(2));
  model.dispose();
  optimizer.dispose();
  return { dir, paths, checkpoints };
}

/** Flips one bit of the data section (the file keeps its length). */
function flipDataByte(path: string): void {
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const at = 8 + headerLength + Math.floor((bytes.length - 8 - headerLength) / 2);
  bytes[at]! ^= 0x10;
  writeFileSync(path, bytes);
}

/** Rewrites a checkpoint's metadata (the data section unchanged), optionally with a correct checksum for the new state. */
function rewriteMetadata(path: string, change: (metadata: Record<string, string>) => void, rehash: boolean): void {
  const file = readSafetensors(new Uint8Array(readFileSync(path)));
  const metadata = { ...file.metadata };
  change(metadata);
  const tensors = [...file.tensors].map(([name, t]): [string, SafetensorsInput] => [
    name,
    { shape: [...t.shape], data: new Float32Array(t.bytes.slice().buffer) },
  ]);
  const data = Buffer.concat(tensors.map(([, t]) => Buffer.from((t.data as Float32Array).buffer)));
  if (rehash)
    metadata['sha256'] = createHash('sha256')
      .update(data)
      .update(metadata['state'] ?? '', 'utf8')
      .digest('hex');
  writeFileSync(path, writeSafetensors(tensors, metadata));
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

test('the stored checksum is the SHA-256 of the data section followed by the state JSON', async () => {
  const { paths } = await runFolder();
  const bytes = readFileSync(paths.last);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const { metadata } = readSafetensors(new Uint8Array(bytes));
  const expected = createHash('sha256')
    .update(bytes.subarray(8 + headerLength))
    .update(metadata['state']!, 'utf8')
    .digest('hex');
  expect(metadata['sha256']).toBe(expected);
  expect(readCheckpoint(paths.last).state).toEqual(state(2));
  expect(readCheckpoint(paths.previous).state).toEqual(state(1));
});

test('one flipped data byte (same length) is a checksum mismatch naming the file', async () => {
  const { paths } = await runFolder();
  const size = readFileSync(paths.last).length;
  flipDataByte(paths.last);
  expect(readFileSync(paths.last).length).toBe(size);
  const error = thrown(() => readCheckpoint(paths.last));
  expect(CheckpointError.isInstance(error)).toBe(true);
  expect(error.message).toMatch(/last\.safetensors: checksum mismatch: the weights or the state were altered/);
});

test('a state of {} is refused: by the checksum, and by the schema when the checksum is recomputed', async () => {
  const { paths } = await runFolder();
  rewriteMetadata(paths.last, (m) => (m['state'] = '{}'), false);
  expect(thrown(() => readCheckpoint(paths.last)).message).toMatch(/last\.safetensors: checksum mismatch/);
  rewriteMetadata(paths.last, (m) => (m['state'] = '{}'), true);
  const error = thrown(() => readCheckpoint(paths.last));
  expect(CheckpointError.isInstance(error)).toBe(true);
  expect(error.message).toMatch(
    /last\.safetensors: invalid training state: configHash: .*; config: .*; epoch: .*; step: /,
  );
  // A plausible-looking but wrong field is named too.
  rewriteMetadata(paths.last, (m) => (m['state'] = JSON.stringify({ ...state(2), step: -3, rng: [1, 2, 3] })), true);
  expect(thrown(() => readCheckpoint(paths.last)).message).toMatch(/invalid training state: step: .*>=0.*; rng: /);
});

test('format 1 checkpoints (no checksum) are refused with what to do', async () => {
  const { paths } = await runFolder();
  rewriteMetadata(
    paths.last,
    (m) => {
      m['format'] = 'wavemix-checkpoint/1';
      delete m['sha256'];
    },
    false,
  );
  expect(thrown(() => readCheckpoint(paths.last)).message).toMatch(
    /last\.safetensors: written by an older wavemix-train \(format wavemix-checkpoint\/1, without a checksum\), so it cannot be verified; start a new run/,
  );
});

test('a corrupt last falls back to previous, says so, and is moved aside', async () => {
  const { dir, paths, checkpoints } = await runFolder();
  flipDataByte(paths.last);
  const log: string[] = [];
  const resume = checkpoints.findResume({ output: dir } as never, (m) => log.push(m));
  expect(resume?.path).toBe(paths.previous);
  expect(resume?.checkpoint.state.step).toBe(1);
  expect(log.join('\n')).toMatch(
    /warning: .*last\.safetensors: checksum mismatch[\s\S]*resuming from the newest intact checkpoint, .*previous\.safetensors \(step 1\)/,
  );
  const files = readdirSync(paths.checkpoints);
  expect(files).not.toContain('last.safetensors');
  expect(files.some((f) => /^last\.corrupt-\d+\.safetensors$/.test(f))).toBe(true);
});

test('no intact checkpoint: exit code 4, naming each file and its problem', async () => {
  const { dir, paths } = await runFolder();
  writeFileSync(paths.config, JSON.stringify({ model: MODEL, dataset: 'mnist', output: dir }));
  flipDataByte(paths.last);
  writeFileSync(paths.previous, readFileSync(paths.previous).subarray(0, 100));
  const lines: string[] = [];
  const io = { log: (...a: unknown[]) => lines.push(a.join(' ')), error: (...a: unknown[]) => lines.push(a.join(' ')) };
  const code = await main(['node', 'wavemix-train', '--resume', dir, '--backend', 'cpu'], io);
  expect(code).toBe(4);
  const text = lines.join('\n');
  expect(text).toMatch(/cannot resume: .*no intact checkpoint to resume from:/);
  expect(text).toMatch(/last\.safetensors: checksum mismatch/);
  expect(text).toMatch(/previous\.safetensors: not a readable safetensors file/);
  // Nothing was trained or written.
  expect(existsSync(paths.metrics)).toBe(false);
});

test('metrics.jsonl: a torn last line is cut and records after the checkpoint are removed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
  const path = join(dir, 'metrics.jsonl');
  const record = (r: object) => `${JSON.stringify({ time: 't', ...r })}\n`;
  const kept = [
    record({ type: 'step', epoch: 1, step: 5, loss: 1 }),
    record({ type: 'epoch', epoch: 1, step: 8 }),
    record({ type: 'step', epoch: 2, step: 10, loss: 0.5 }),
  ];
  const replayed = [
    record({ type: 'step', epoch: 2, step: 15, loss: 0.4 }),
    record({ type: 'epoch', epoch: 2, step: 16 }),
    record({ type: 'test', accuracy: 0.9 }),
  ];
  // The torn tail: {"time":"t","type":"st is 22 bytes.
  writeFileSync(path, `${kept.join('')}${replayed.join('')}{"time":"t","type":"st`);
  // Resuming mid-epoch 2 at step 12 (one epoch completed).
  const notes = rewindMetrics(path, { step: 12, epoch: 1, finished: false });
  expect(readFileSync(path, 'utf8')).toBe(kept.join(''));
  expect(notes).toEqual([
    'cut a torn last line (22 bytes without a newline)',
    'removed 3 records after step 12 (they are trained again)',
  ]);
  // A finished run keeps its test record; an intact file is left alone.
  writeFileSync(path, `${kept.join('')}${record({ type: 'test', accuracy: 0.9 })}`);
  expect(rewindMetrics(path, { step: 10, epoch: 1, finished: true })).toEqual([]);
  expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(5);
});

describe('a run folder that cannot be written is a usage error naming the path (exit 2)', () => {
  // Tests run as root here, where chmod does not stop writes: the errors are injected at the
  // probe's open, exactly as Node reports them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  afterEach(() => jest.restoreAllMocks());

  test.each([
    ['EROFS', 'read-only file system'],
    ['EACCES', 'permission denied'],
    ['ENOSPC', 'no space left on the device'],
  ])('%s', async (code, words) => {
    const dir = mkdtempSync(join(tmpdir(), 'unwritable-'));
    const open = fs.openSync;
    jest.spyOn(fs, 'openSync').mockImplementation(((path: string, ...rest: unknown[]) => {
      if (String(path).startsWith(dir)) throw Object.assign(new Error(`${code}: open '${path}'`), { code });
      return (open as (...a: unknown[]) => number)(path, ...rest);
    }) as typeof fs.openSync);
    expect(() => ensureWritable(runPaths(dir))).toThrow(UsageError);
    expect(() => ensureWritable(runPaths(dir))).toThrow(
      new RegExp(`cannot write ${dir}/checkpoints/\\.write-test-\\d+: ${words} \\(${code}\\)`),
    );
    const lines: string[] = [];
    const io = {
      log: (...a: unknown[]) => lines.push(a.join(' ')),
      error: (...a: unknown[]) => lines.push(a.join(' ')),
    };
    const exit = await main(
      ['node', 'wavemix-train', '--preset', 'mnist-quick', '--backend', 'cpu', '--output', dir],
      io,
    );
    expect(exit).toBe(2);
    expect(lines.join('\n')).toMatch(new RegExp(`wavemix-train: cannot write ${dir}/checkpoints/.*\\(${code}\\)`));
  });

  test('ENOTDIR, for real: the output folder is under a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notdir-'));
    writeFileSync(join(dir, 'file'), 'x');
    const output = join(dir, 'file', 'run');
    const lines: string[] = [];
    const io = {
      log: (...a: unknown[]) => lines.push(a.join(' ')),
      error: (...a: unknown[]) => lines.push(a.join(' ')),
    };
    expect(
      await main(['node', 'wavemix-train', '--preset', 'mnist-quick', '--backend', 'cpu', '--output', output], io),
    ).toBe(2);
    expect(lines.join('\n')).toMatch(
      new RegExp(`cannot write ${output}/checkpoints: a path component is a file, not a folder \\(ENOTDIR\\)`),
    );
  });
});

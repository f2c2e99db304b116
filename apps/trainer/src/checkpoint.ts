/**
 * Checkpoints: one safetensors file holding the model weights (BatchNorm statistics included), the
 * optimizer state, and the training state as JSON metadata. Written atomically (temporary file,
 * fsync, rename, fsync of the directory), so a SIGKILL at any moment leaves the previous complete
 * checkpoint or the new one, never a torn file.
 *
 * Format `wavemix-checkpoint/2`: the metadata also holds `sha256`, the SHA-256 of the data section
 * (every tensor's bytes) followed by the state JSON. Reading verifies it and validates the state
 * against `TrainStateSchema`, so a flipped byte or a hand-edited state is refused with
 * `CheckpointError` (naming the file and the problem) instead of resuming with corrupted weights.
 * Format 1 (no checksum) is refused: it cannot be verified.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors, toFloat32, WaveMixError, writeSafetensors, type SafetensorsInput } from '@wavemix/core';
import { writeFileAtomic } from '@wavemix/core/node';
import type { NamedTensor } from '@wavemix/models';
import { z } from 'zod';
import { computationalConfig, configHash, type TrainConfig } from './config';
import type { Phase } from './plateau_policy';
import type { RngState } from './rng';

export const CHECKPOINT_FORMAT = 'wavemix-checkpoint/2';

export type { Phase };

/** A checkpoint that cannot be used: missing, torn, altered, of another format or with an invalid state. */
export class CheckpointError extends WaveMixError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

const count = z.number().int().min(0);
const uint32 = z.number().int().min(0).max(0xffffffff);

export const TrainStateSchema = z
  .object({
    configHash: z.string().min(1),
    /** The computational config the run was started with (to name differences on resume). */
    config: z.record(z.string(), z.unknown()),
    /** 0-based epoch in progress (equals the number of completed epochs at an epoch boundary). */
    epoch: count,
    /** Optimizer steps taken so far (all phases). */
    step: count,
    /** Data order and position, so a resumed run reads the same batches (datasets' PipelineState). */
    pipeline: z
      .object({
        version: z.literal(1),
        seed: z.number().int(),
        epoch: count,
        position: count,
        batchSize: z.number().int().positive(),
        examplesPerEpoch: count,
        shuffle: z.boolean(),
      })
      .strict()
      .nullable(),
    /** State of the seeded Math.random (dropout masks): xoshiro128**'s four words. */
    rng: z.tuple([uint32, uint32, uint32, uint32]),
    /** dualopt: which optimizer is active and when its phase started. */
    phase: z.enum(['adamw', 'sgd']),
    phaseStartEpoch: count,
    bestMetric: z.number().nullable(),
    bestEpoch: count.nullable(),
    epochsWithoutImprovement: count,
    elapsedSeconds: z.number().min(0),
    finished: z.boolean(),
  })
  .strict();

export type TrainState = z.infer<typeof TrainStateSchema>;

/** The state of a run before its first step. */
export function initialTrainState(config: TrainConfig, rng: RngState): TrainState {
  return {
    configHash: configHash(config),
    config: computationalConfig(config),
    epoch: 0,
    step: 0,
    pipeline: null,
    rng,
    phase: config.opt === 'sgd' ? 'sgd' : 'adamw',
    phaseStartEpoch: 0,
    bestMetric: null,
    bestEpoch: null,
    epochsWithoutImprovement: 0,
    elapsedSeconds: 0,
    finished: false,
  };
}

export interface Checkpoint {
  state: TrainState;
  model: Map<string, { shape: number[]; data: Float32Array }>;
  optimizer: Map<string, { shape: number[]; data: Float32Array }>;
}

/** Stable names for model weights: the layer-qualified original names, unique within a model. */
export function weightKeys(model: tf.LayersModel): Map<string, tf.LayerVariable> {
  const keys = new Map<string, tf.LayerVariable>();
  for (const weight of model.weights) {
    const key = weight.originalName;
    if (keys.has(key)) throw new Error(`checkpoint: two model weights share the name ${key}`);
    keys.set(key, weight);
  }
  return keys;
}

export async function saveCheckpoint(
  path: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: TrainState,
): Promise<void> {
  const tensors: Array<[string, SafetensorsInput]> = [];
  const variableToKey = new Map<string, string>();
  for (const [key, weight] of weightKeys(model)) {
    variableToKey.set(weight.name, key);
    const value = weight.read();
    tensors.push([`model/${key}`, { shape: value.shape, data: (await value.data()) as Float32Array }]);
  }
  for (const { name, tensor } of await optimizer.getWeights()) {
    // Optimizer slots are named after the variable (e.g. `<variable>/m`); store the stable key.
    const slash = name.lastIndexOf('/');
    const variable = slash >= 0 ? name.slice(0, slash) : name;
    const stable = variableToKey.has(variable) ? `${variableToKey.get(variable)}${name.slice(slash)}` : name;
    tensors.push([`optimizer/${stable}`, { shape: tensor.shape, data: (await tensor.data()) as Float32Array }]);
    if (name === 'step') tensor.dispose();
  }
  writeFileAtomic(path, encodeCheckpoint(tensors, state));
}

const CHECKSUM_PLACEHOLDER = '0'.repeat(64);

/** SHA-256 over the data section, then the state JSON (hex). */
function checksum(data: Uint8Array, stateJson: string): string {
  return createHash('sha256').update(data).update(stateJson, 'utf8').digest('hex');
}

function dataSection(bytes: Uint8Array): Uint8Array {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return bytes.subarray(8 + headerLength);
}

/**
 * Serialises with a placeholder checksum, then writes the real one over it: the data section does
 * not depend on the header, and the placeholder has the digest's length, so the layout stays.
 */
function encodeCheckpoint(tensors: Array<[string, SafetensorsInput]>, state: TrainState): Uint8Array {
  const stateJson = JSON.stringify(state);
  const bytes = writeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    state: stateJson,
    sha256: CHECKSUM_PLACEHOLDER,
  });
  // Inside the header JSON the state is an escaped string, so this quoted key/value occurs once.
  const needle = Buffer.from(`"sha256":"${CHECKSUM_PLACEHOLDER}"`);
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(needle);
  bytes.set(Buffer.from(checksum(dataSection(bytes), stateJson)), at + '"sha256":"'.length);
  return bytes;
}

/** Reads and verifies a checkpoint; every problem is a `CheckpointError` naming the file. */
export function readCheckpoint(path: string): Checkpoint {
  if (!existsSync(path)) throw new CheckpointError(path, 'no checkpoint (no such file)');
  const bytes = new Uint8Array(readFileSync(path));
  let file: ReturnType<typeof readSafetensors>;
  try {
    file = readSafetensors(bytes, { source: path });
  } catch (error) {
    throw new CheckpointError(
      path,
      `not a readable safetensors file (torn or overwritten?): ${(error as Error).message}`,
    );
  }
  const { format, state: stateJson, sha256 } = file.metadata;
  if (format === 'wavemix-checkpoint/1') {
    throw new CheckpointError(
      path,
      'written by an older wavemix-train (format wavemix-checkpoint/1, without a checksum), so it cannot be verified; ' +
        'start a new run with another --output',
    );
  }
  if (format !== CHECKPOINT_FORMAT || stateJson === undefined || sha256 === undefined) {
    throw new CheckpointError(path, `not a ${CHECKPOINT_FORMAT} checkpoint (format: ${format ?? 'none'})`);
  }
  const actual = checksum(dataSection(bytes), stateJson);
  if (actual !== sha256) {
    throw new CheckpointError(
      path,
      `checksum mismatch: the weights or the state were altered after writing (stored sha256 ${sha256}, computed ${actual})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stateJson);
  } catch (error) {
    throw new CheckpointError(path, `the training state is not JSON: ${(error as Error).message}`);
  }
  const state = TrainStateSchema.safeParse(parsed);
  if (!state.success) {
    const issues = state.error.issues.map(
      (issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`,
    );
    throw new CheckpointError(path, `invalid training state: ${issues.join('; ')}`);
  }
  const model = new Map<string, { shape: number[]; data: Float32Array }>();
  const optimizer = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, tensor] of file.tensors) {
    const entry = { shape: [...tensor.shape], data: toFloat32(tensor) };
    if (name.startsWith('model/')) model.set(name.slice('model/'.length), entry);
    else if (name.startsWith('optimizer/')) optimizer.set(name.slice('optimizer/'.length), entry);
  }
  return { state: state.data, model, optimizer };
}

/** Loads checkpoint weights into `model`, strictly: every weight present with the same shape. */
export function restoreModelWeights(model: tf.LayersModel, weights: Checkpoint['model'], source: string): void {
  const keys = weightKeys(model);
  const problems: string[] = [];
  for (const [key, weight] of keys) {
    const saved = weights.get(key);
    if (!saved) problems.push(`missing ${key}`);
    else if (saved.shape.join() !== weight.shape.join()) {
      problems.push(`${key}: checkpoint [${saved.shape}] vs model [${weight.shape}]`);
    }
  }
  for (const key of weights.keys()) if (!keys.has(key)) problems.push(`unexpected ${key}`);
  if (problems.length) throw new Error(`${source} does not fit the model:\n  ${problems.join('\n  ')}`);
  for (const [key, weight] of keys) {
    const saved = weights.get(key)!;
    const value = tf.tensor(saved.data, saved.shape);
    weight.write(value);
    value.dispose();
  }
}

/** Restores optimizer state saved by `saveCheckpoint`, mapping stable keys back to variable names. */
export async function restoreOptimizer(
  optimizer: tf.Optimizer,
  model: tf.LayersModel,
  saved: Checkpoint['optimizer'],
): Promise<void> {
  const keyToVariable = new Map<string, string>();
  for (const [key, weight] of weightKeys(model)) keyToVariable.set(key, weight.name);
  const named: NamedTensor[] = [];
  for (const [name, { shape, data }] of saved) {
    const slash = name.lastIndexOf('/');
    const key = slash >= 0 ? name.slice(0, slash) : name;
    const variable = keyToVariable.get(key);
    named.push({ name: variable ? `${variable}${name.slice(slash)}` : name, tensor: tf.tensor(data, shape) });
  }
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
}

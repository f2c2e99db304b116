/**
 * Checkpoints: one safetensors file holding the model weights (BatchNorm statistics included), the
 * optimizer state, and the training state as JSON metadata. Written atomically (temporary file,
 * fsync, rename, fsync of the directory), so a SIGKILL at any moment leaves the previous complete
 * checkpoint or the new one, never a torn file.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { readSafetensors, toFloat32, writeSafetensors, type SafetensorsInput } from '@wavemix/core';
import { writeFileAtomic } from '@wavemix/core/node';
import type { PipelineState } from '@wavemix/datasets';
import type { NamedTensor } from '@wavemix/models';
import type { Phase } from './plateau_policy';
import type { RngState } from './rng';

export const CHECKPOINT_FORMAT = 'wavemix-checkpoint/1';

export type { Phase };

export interface TrainState {
  configHash: string;
  /** The computational config the run was started with (to name differences on resume). */
  config: Record<string, unknown>;
  /** 0-based epoch in progress (equals the number of completed epochs at an epoch boundary). */
  epoch: number;
  /** Optimizer steps taken so far (all phases). */
  step: number;
  /** Data order and position, so a resumed run reads the same batches. */
  pipeline: PipelineState | null;
  /** State of the seeded Math.random (dropout masks). */
  rng: RngState;
  /** dualopt: which optimizer is active and when its phase started. */
  phase: Phase;
  phaseStartEpoch: number;
  bestMetric: number | null;
  bestEpoch: number | null;
  epochsWithoutImprovement: number;
  elapsedSeconds: number;
  finished: boolean;
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
  const bytes = writeSafetensors(tensors, { format: CHECKPOINT_FORMAT, state: JSON.stringify(state) });
  writeFileAtomic(path, bytes);
}

export function readCheckpoint(path: string): Checkpoint {
  if (!existsSync(path)) throw new Error(`no checkpoint at ${path}`);
  const file = readSafetensors(new Uint8Array(readFileSync(path)), { source: path });
  if (file.metadata['format'] !== CHECKPOINT_FORMAT || !file.metadata['state']) {
    throw new Error(`${path} is not a ${CHECKPOINT_FORMAT} checkpoint`);
  }
  const state = JSON.parse(file.metadata['state']) as TrainState;
  const model = new Map<string, { shape: number[]; data: Float32Array }>();
  const optimizer = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, tensor] of file.tensors) {
    const entry = { shape: [...tensor.shape], data: toFloat32(tensor) };
    if (name.startsWith('model/')) model.set(name.slice('model/'.length), entry);
    else if (name.startsWith('optimizer/')) optimizer.set(name.slice('optimizer/'.length), entry);
  }
  return { state, model, optimizer };
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

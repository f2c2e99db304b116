/** Test helpers for the PyTorch fixtures in `fixtures/pytorch/` (repo root). Not part of the package API. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSafetensors, toFloat32 } from '@wavemix/core';
import type { WaveMixConfig, WaveMixTask } from '../config';

export const FIXTURE_ROOT = path.resolve(__dirname, '../../../../fixtures/pytorch');

export interface ModelFixture {
  name: string;
  dir: string;
  config: WaveMixConfig;
  trainableParams: number;
  inputShapeNchw: [number, number, number, number];
  hasPth: boolean;
}

const CAMEL: Record<string, string> = {
  num_classes: 'numClasses',
  ff_channel: 'ffChannel',
  final_dim: 'finalDim',
  initial_conv: 'initialConv',
  patch_size: 'patchSize',
  sr: 'scale',
};

export function modelFixtures(): ModelFixture[] {
  return fs
    .readdirSync(FIXTURE_ROOT)
    .filter((name) => fs.existsSync(path.join(FIXTURE_ROOT, name, 'config.json')))
    .sort()
    .map((name) => {
      const dir = path.join(FIXTURE_ROOT, name);
      const raw = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
        model: WaveMixTask;
        pytorch_kwargs: Record<string, unknown>;
        input_shape_nchw: [number, number, number, number];
        trainable_params: number;
        /** Our fields for what the official script sets outside the constructor (WaveMixSR's scale and Upsample mode). */
        wavemix_js_config?: Record<string, unknown>;
      };
      const config: Record<string, unknown> = { task: raw.model };
      for (const [key, value] of Object.entries(raw.pytorch_kwargs)) config[CAMEL[key] ?? key] = value;
      Object.assign(config, raw.wavemix_js_config);
      const [, channels, height, width] = raw.input_shape_nchw;
      config['inChannels'] = channels;
      config['inputSize'] = [height, width];
      return {
        name,
        dir,
        config: config as unknown as WaveMixConfig,
        trainableParams: raw.trainable_params,
        inputShapeNchw: raw.input_shape_nchw,
        hasPth: fs.existsSync(path.join(dir, 'model.pth')),
      };
    });
}

export function readBytes(file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(file));
}

export interface FixtureTensor {
  shape: number[];
  data: Float32Array;
}

export function readTensors(file: string): Map<string, FixtureTensor> {
  const out = new Map<string, FixtureTensor>();
  for (const [name, tensor] of readSafetensors(readBytes(file), { source: path.basename(file) }).tensors) {
    out.set(name, { shape: [...tensor.shape], data: toFloat32(tensor) });
  }
  return out;
}

/** max |a - b| / max |b|: the error relative to the reference's scale. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

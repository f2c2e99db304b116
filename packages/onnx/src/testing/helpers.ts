/** Test helpers (not part of the package API). */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { WaveMixConfig } from '@wavemix/models';
import { FIXTURE_ROOT, modelFixtures, type ModelFixture } from '../../../models/src/testing/fixtures';
import { onnx, type OnnxTypes } from '../proto';

export { modelFixtures, readBytes, readTensors, relativeError } from '../../../models/src/testing/fixtures';

const CAMEL: Record<string, string> = {
  num_classes: 'numClasses',
  ff_channel: 'ffChannel',
  final_dim: 'finalDim',
  initial_conv: 'initialConv',
  patch_size: 'patchSize',
};

/** Every model fixture: the top-level ones and those one folder deeper (e.g. `wavemix_lite_upsample/nearest`). */
export function allModelFixtures(): ModelFixture[] {
  const nested: ModelFixture[] = [];
  for (const group of fs.readdirSync(FIXTURE_ROOT).sort()) {
    const groupDir = path.join(FIXTURE_ROOT, group);
    if (!fs.statSync(groupDir).isDirectory() || fs.existsSync(path.join(groupDir, 'config.json'))) continue;
    for (const name of fs.readdirSync(groupDir).sort()) {
      const dir = path.join(groupDir, name);
      if (!fs.existsSync(path.join(dir, 'config.json')) || !fs.existsSync(path.join(dir, 'model.safetensors')))
        continue;
      const raw = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      const config: Record<string, unknown> = { task: raw.model };
      for (const [key, value] of Object.entries(raw.pytorch_kwargs as Record<string, unknown>))
        config[CAMEL[key] ?? key] = value;
      Object.assign(config, raw.wavemix_js_config);
      const [, channels, height, width] = raw.input_shape_nchw as [number, number, number, number];
      Object.assign(config, { inChannels: channels, inputSize: [height, width] });
      nested.push({
        name: `${group}/${name}`,
        dir,
        config: config as unknown as WaveMixConfig,
        trainableParams: raw.trainable_params,
        inputShapeNchw: raw.input_shape_nchw,
        hasPth: false,
      });
    }
  }
  return [...modelFixtures(), ...nested];
}

export async function runOrt(bytes: Uint8Array, x: Float32Array, shape: number[], level: 'disabled' | 'all' = 'all') {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: level });
  try {
    const result = await session.run({ input: new ort.Tensor('float32', x, shape) });
    const output = result['output']!;
    return { data: output.data as Float32Array, dims: [...output.dims] };
  } finally {
    await session.release();
  }
}

/** A decoded model whose graph has the class's non-optional repeated fields (decode always fills them). */
export type DecodedModel = OnnxTypes.ModelProto & { graph: OnnxTypes.GraphProto };

export function decode(bytes: Uint8Array): DecodedModel {
  return onnx.ModelProto.decode(bytes) as DecodedModel;
}

/** op_type -> count. */
export function opCounts(bytes: Uint8Array): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of decode(bytes).graph!.node) counts[node.opType!] = (counts[node.opType!] ?? 0) + 1;
  return counts;
}

/** mulberry32: deterministic values for test inputs and BatchNorm statistics. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(length: number, random: () => number, low = -1, high = 1): Float32Array {
  return Float32Array.from({ length }, () => low + (high - low) * random());
}

/** Gives every BatchNormalization random statistics and affine parameters, so folding them matters. */
export function randomizeBatchNorm(model: tf.LayersModel, seed: number): void {
  const random = seeded(seed);
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    layer.setWeights(
      layer.weights.map((w) => {
        const last = w.originalName.split('/').pop();
        const [low, high] = last === 'moving_variance' ? [0.5, 2] : last === 'gamma' ? [0.5, 1.5] : [-0.5, 0.5];
        return tf.tensor(
          randomArray(
            w.shape.reduce<number>((a, b) => a * b!, 1),
            random,
            low,
            high,
          ),
          w.shape as number[],
        );
      }),
    );
  }
}

/** NHWC -> NCHW of row-major data. */
export function nhwcToNchw(data: ArrayLike<number>, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(n! * h! * w! * c!);
  for (let b = 0; b < n!; b++)
    for (let y = 0; y < h!; y++)
      for (let x = 0; x < w!; x++)
        for (let k = 0; k < c!; k++) {
          out[((b * c! + k) * h! + y) * w! + x] = data[((b * h! + y) * w! + x) * c! + k]!;
        }
  return out;
}

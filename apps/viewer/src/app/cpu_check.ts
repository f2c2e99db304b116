/**
 * "Is this backend still computing right?" After a backend switch the model's output on a fixed
 * probe input is compared with the same model on cpu, rebuilt from its source. A lost WebGPU
 * device or WebGL context returns zeros or stale data without an error (every class at 10 %);
 * this is how the page notices.
 */
import * as tf from '@tensorflow/tfjs-core';
import { inputDivisor } from '@wavemix/models';
import { disposePredictor, runNetwork, type Predictor } from './predictor';
import type { ModelSource } from './store';

/** Relative tolerance: float32 on GPUs differs from cpu by ~1e-6; a broken backend by O(1). */
export const CPU_CHECK_TOLERANCE = 1e-2;

/** The raw model output (no preprocessing) for a deterministic input at the model's input size. */
export async function probeOutput(predictor: Predictor): Promise<Float32Array> {
  const { config } = predictor.metadata;
  const divisor = inputDivisor(config).divisor;
  const [height, width] = config.inputSize ?? [2 * divisor, 2 * divisor];
  const size = height * width * config.inChannels;
  const values = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 12.9898) * 0.8);
  const input = tf.tensor4d(values, [1, height, width, config.inChannels]);
  let output: tf.Tensor;
  try {
    output = await runNetwork(predictor, input);
  } finally {
    input.dispose();
  }
  try {
    return (await output.data()) as Float32Array;
  } finally {
    output.dispose();
  }
}

const references = new WeakMap<ModelSource, Float32Array>();

/** The probe output on cpu of the model `source` builds (computed once per source). */
export async function cpuReference(source: ModelSource): Promise<Float32Array> {
  const cached = references.get(source);
  if (cached) return cached;
  const active = tf.getBackend();
  await tf.setBackend('cpu');
  let predictor: Predictor | null = null;
  try {
    predictor = await source.reload();
    const reference = await probeOutput(predictor);
    references.set(source, reference);
    return reference;
  } finally {
    if (predictor) disposePredictor(predictor);
    await tf.setBackend(active);
  }
}

/** null when `actual` matches `reference`, else what is wrong. */
export function compareWithCpu(actual: Float32Array, reference: Float32Array): string | null {
  if (actual.length !== reference.length)
    return `the model's output has ${actual.length} values, ${reference.length} on cpu`;
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < reference.length; i++) {
    scale = Math.max(scale, Math.abs(reference[i]!));
    const difference = Math.abs(actual[i]! - reference[i]!);
    worst = Number.isNaN(difference) ? Infinity : Math.max(worst, difference);
  }
  if (worst <= CPU_CHECK_TOLERANCE * Math.max(scale, 1e-6)) return null;
  return `the model's output differs from cpu by up to ${worst.toPrecision(3)} (outputs up to ${scale.toPrecision(3)})`;
}

// Deferred loss reads (issue 14): reading every N steps in one download gives exactly the
// per-step results of reading every step, and leaves no tensor behind.
import * as tf from '@tensorflow/tfjs';
import '@wavemix/kernels-cpu';
import { AdamW, createModel } from '@wavemix/models';
import { StepRunner, type StepResult } from './step_runner';

const CONFIG = {
  task: 'classification',
  numClasses: 10,
  depth: 1,
  mult: 2,
  ffChannel: 8,
  finalDim: 8,
  dropout: 0,
  level: 1,
  initialConv: 'pachify',
  patchSize: 2,
  inChannels: 1,
  inputSize: [8, 8],
} as const;

async function train(readEvery: number, steps: number): Promise<{ results: StepResult[]; weights: Float32Array }> {
  const model = createModel({ ...CONFIG });
  // The same initial weights for both runs: a fixed ramp instead of the random initialisers.
  const initial = model.getWeights().map((w, i) =>
    tf.tidy(() =>
      tf
        .sin(tf.add(tf.range(0, w.size), i))
        .mul(0.3)
        .reshape(w.shape),
    ),
  );
  model.setWeights(initial);
  tf.dispose(initial);
  const optimizer = new AdamW({ learningRate: 1e-2, weightDecay: 0.01 });
  const runner = new StepRunner(model, { task: 'classification', ignoreIndex: undefined, ycbcr: false, readEvery });
  const results: StepResult[] = [];
  for (let s = 0; s < steps; s++) {
    const xs = tf.tidy(() => tf.cos(tf.range(s, s + 4 * 64).mul(0.37)).reshape([4, 8, 8, 1]) as tf.Tensor4D);
    const ys = tf.tensor1d([s % 10, (s + 3) % 10, (s + 5) % 10, (s + 7) % 10], 'int32');
    results.push(...(await runner.step(xs, ys, optimizer)));
    tf.dispose([xs, ys]);
  }
  results.push(...(await runner.flush()));
  const weights = (await model.getWeights()[0]!.data()) as Float32Array;
  await runner.dispose();
  optimizer.dispose();
  model.dispose();
  return { results, weights };
}

test('reading every 3 steps gives the per-step losses, accuracies and counts of reading every step', async () => {
  await tf.setBackend('cpu');
  const everyStep = await train(1, 7);
  const before = tf.memory().numTensors;
  const batched = await train(3, 7);
  expect(tf.memory().numTensors).toBe(before);
  expect(batched.results).toHaveLength(7);
  expect(batched.results).toEqual(everyStep.results);
  expect(batched.weights).toEqual(everyStep.weights);
  // Real figures: 4 images a step, correct counts in [0, 4], a cross-entropy near ln(10) at the start.
  expect(everyStep.results.every((r) => r.count === 4 && r.correct !== null && r.correct >= 0 && r.correct <= 4)).toBe(
    true,
  );
  expect(everyStep.results[0]!.loss).toBeGreaterThan(0.5);
  expect(new Set(everyStep.results.map((r) => r.loss)).size).toBe(7);
});

/**
 * The super-resolution fixtures (WaveMixSR at 2x/3x/4x, WaveMixSR-V2, written by PyTorch) on the
 * wasm backend as the trainer uses it (tfjs-backend-wasm plus @wavemix/kernels-wasm, which adds
 * the training kernels stock wasm lacks): PixelShuffle, Upsample and the wavelet ops must match
 * there too (outputs to 1e-4, input and parameter gradients to 1e-3, relative to the reference's
 * scale). @wavemix/kernels-wasm is resolved through the tsconfig paths, not package.json: it
 * devDepends on this package, and declaring it here would make a cycle.
 */
import * as tf from '@tensorflow/tfjs';
import { useWasmTraining } from '@wavemix/kernels-wasm';
import { describeErrors, fixtureErrors } from '../testing/fixture_check';
import { modelFixtures } from '../testing/fixtures';

beforeAll(async () => {
  await useWasmTraining();
});

const summary: string[] = [];
afterAll(() => {
  if (summary.length) console.log(`PyTorch super-resolution fixture errors on wasm:\n${summary.join('\n')}`);
});

const superResolution = modelFixtures().filter(
  (f) => f.config.task === 'wavemix-sr' || f.config.task === 'wavemix-sr-v2',
);

it('covers WaveMixSR at 2x, 3x, 4x and WaveMixSR-V2 at 2x and 4x', () => {
  expect(superResolution.map((f) => f.name)).toEqual(
    expect.arrayContaining([
      'wavemixsr_l1',
      'wavemixsr_x3_bilinear',
      'wavemixsr_x4_bicubic',
      'wavemixsr_v2_x2_m2',
      'wavemixsr_v2_x4',
    ]),
  );
});

describe.each(superResolution)('fixture $name on wasm', (fixture) => {
  it('matches the official outputs and gradients', () => {
    expect(tf.getBackend()).toBe('wasm');
    const before = tf.memory().numTensors;
    const errors = fixtureErrors(fixture);
    expect(tf.memory().numTensors).toBe(before);
    expect(errors.trainableParams).toBe(fixture.trainableParams);
    expect(errors.output).toBeLessThan(1e-4);
    expect(errors.inputGrad).toBeLessThan(1e-3);
    expect([...errors.paramGrads.keys()].sort()).toEqual([...errors.expectedParamKeys].sort());
    for (const [key, error] of errors.paramGrads) expect([key, error < 1e-3]).toEqual([key, true]);
    summary.push(describeErrors(fixture.name, errors));
  });
});

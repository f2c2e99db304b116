/**
 * Every model fixture of fixtures/pytorch/ (outputs of the official PyTorch code, eval mode):
 * outputs to 1e-4 and the input and every parameter gradient of sum(y * w) to 1e-3, relative to
 * each reference's scale, with the ops' plain-tfjs composites (no kernel package). Prints the
 * worst errors per fixture.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { describeErrors, fixtureErrors } from '../testing/fixture_check';
import { modelFixtures } from '../testing/fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const summary: string[] = [];
afterAll(() => {
  if (summary.length)
    console.log(
      `PyTorch fixture errors, composite ops (relative to each reference's max |value|):\n${summary.join('\n')}`,
    );
});

describe.each(modelFixtures())('fixture $name', (fixture) => {
  it('matches the official outputs and gradients', () => {
    expect(tf.getKernel('WaveMixWaveletPyramid', 'cpu')).toBeUndefined();
    const errors = fixtureErrors(fixture);
    expect(errors.trainableParams).toBe(fixture.trainableParams);
    expect(errors.output).toBeLessThan(1e-4);
    expect(errors.inputGrad).toBeLessThan(1e-3);
    expect([...errors.paramGrads.keys()].sort()).toEqual([...errors.expectedParamKeys].sort());
    for (const [key, error] of errors.paramGrads) expect([key, error < 1e-3]).toEqual([key, true]);
    summary.push(describeErrors(fixture.name, errors));
  });
});

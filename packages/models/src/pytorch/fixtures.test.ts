/**
 * Every model fixture of fixtures/pytorch/ (outputs of the official PyTorch code, eval mode):
 * outputs to 1e-4 and the input and every parameter gradient of sum(y * w) to 1e-3, relative to
 * each reference's scale. Prints the worst errors per fixture.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { nchwToNhwc } from '@wavemix/core/testing';
import { countTrainableParams, createModel } from '../create_model';
import { loadPyTorchWeights, pytorchParameters, toTorchLayout } from './bridge';
import { modelFixtures, readBytes, readTensors, relativeError } from '../testing/fixtures';
import * as path from 'node:path';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const summary: string[] = [];

afterAll(() => {
  if (summary.length) console.log(`PyTorch fixture errors (relative to each reference's max |value|):\n${summary.join('\n')}`);
});

const toNhwc = (t: { shape: number[]; data: Float32Array }) => (t.shape.length === 4 ? nchwToNhwc(t.data, t.shape) : t.data);

describe.each(modelFixtures())('fixture $name', (fixture) => {
  it('matches the official outputs and gradients', () => {
    const model = createModel(fixture.config);
    expect(countTrainableParams(model)).toBe(fixture.trainableParams);
    const report = loadPyTorchWeights(model, readBytes(path.join(fixture.dir, 'model.safetensors')), { source: `${fixture.name}/model.safetensors` });
    expect(report.missing).toEqual([]);

    const io = readTensors(path.join(fixture.dir, 'io.safetensors'));
    const x = io.get('x')!;
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const input = tf.tensor4d(nchwToNhwc(x.data, x.shape), [n, h, w, c]);
    const y = io.get('y')!;
    const weights = tf.tensor(toNhwc(io.get('w')!), (model.outputs[0]!.shape.length === 4 ? [y.shape[0]!, y.shape[2]!, y.shape[3]!, y.shape[1]!] : y.shape));

    const output = model.predict(input) as tf.Tensor;
    const outputError = relativeError(output.dataSync(), toNhwc(y));
    expect(outputError).toBeLessThan(1e-4);

    const inputVariable = tf.variable(input, true, `${fixture.name}_x`);
    const parameters = pytorchParameters(model).filter((p) => p.trainable);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(model.apply(inputVariable, { training: false }) as tf.Tensor, weights)) as tf.Scalar,
      [inputVariable, ...parameters.map((p) => p.variable.read() as tf.Variable)],
    );
    const inputGradError = relativeError(grads[inputVariable.name]!.dataSync(), nchwToNhwc(io.get('grad_x')!.data, x.shape));
    expect(inputGradError).toBeLessThan(1e-3);

    const expectedGrads = readTensors(path.join(fixture.dir, 'grads.safetensors'));
    expect(new Set(parameters.map((p) => p.key))).toEqual(new Set(expectedGrads.keys()));
    let worstParam = { key: '', error: 0 };
    for (const parameter of parameters) {
      const grad = grads[(parameter.variable.read() as tf.Variable).name]!;
      const error = relativeError(toTorchLayout(parameter, grad.dataSync()), expectedGrads.get(parameter.key)!.data);
      if (error >= worstParam.error) worstParam = { key: parameter.key, error };
      expect([parameter.key, error < 1e-3]).toEqual([parameter.key, true]);
    }
    summary.push(
      `  ${fixture.name.padEnd(28)} output ${outputError.toExponential(2)}  grad_x ${inputGradError.toExponential(2)}  ` +
        `worst param grad ${worstParam.error.toExponential(2)} (${worstParam.key}, ${parameters.length} params)`,
    );
    tf.dispose([input, weights, output, inputVariable, value, ...Object.values(grads)]);
    model.dispose();
  });
});

/** The fixture comparison shared by the composite and the kernels-cpu test runs. Not part of the package API. */
import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { leanVariableGrads } from '@wavemix/core';
import { nchwToNhwc } from '@wavemix/core/testing';
import { countTrainableParams, createModel } from '../create_model';
import { loadPyTorchWeights, pytorchParameters, toTorchLayout } from '../pytorch/bridge';
import { readBytes, readTensors, relativeError, type ModelFixture } from './fixtures';

export interface FixtureErrors {
  output: number;
  inputGrad: number;
  /** Per trainable parameter (state_dict key). */
  paramGrads: Map<string, number>;
  expectedParamKeys: string[];
  trainableParams: number;
}

const toNhwc = (t: { shape: number[]; data: Float32Array }) =>
  t.shape.length === 4 ? nchwToNhwc(t.data, t.shape) : t.data;

/**
 * Builds the fixture's model, loads its official weights, and returns the relative errors of the
 * output, of d/dx sum(y * w) and of d/dparam sum(y * w) against the PyTorch references
 * (BatchNorm in inference mode, as the fixtures were made in eval mode).
 */
export function fixtureErrors(fixture: ModelFixture): FixtureErrors {
  const model = createModel(fixture.config);
  loadPyTorchWeights(model, readBytes(path.join(fixture.dir, 'model.safetensors')), {
    source: `${fixture.name}/model.safetensors`,
  });
  const io = readTensors(path.join(fixture.dir, 'io.safetensors'));
  const x = io.get('x')!;
  const y = io.get('y')!;
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const input = tf.tensor4d(nchwToNhwc(x.data, x.shape), [n, h, w, c]);
  const outputShape = y.shape.length === 4 ? [y.shape[0]!, y.shape[2]!, y.shape[3]!, y.shape[1]!] : y.shape;
  const weights = tf.tensor(toNhwc(io.get('w')!), outputShape);

  const output = model.predict(input) as tf.Tensor;
  const outputError = relativeError(output.dataSync(), toNhwc(y));

  const inputVariable = tf.variable(input, true);
  const parameters = pytorchParameters(model).filter((p) => p.trainable);
  const variables = parameters.map((p) => p.variable.read() as tf.Variable);
  const { value, grads } = leanVariableGrads(
    () => tf.sum(tf.mul(model.apply(inputVariable, { training: false }) as tf.Tensor, weights)) as tf.Scalar,
    [inputVariable, ...variables],
  );
  const inputGrad = relativeError(grads[inputVariable.name]!.dataSync(), nchwToNhwc(io.get('grad_x')!.data, x.shape));
  const expectedGrads = readTensors(path.join(fixture.dir, 'grads.safetensors'));
  const paramGrads = new Map<string, number>();
  parameters.forEach((parameter, i) => {
    const expected = expectedGrads.get(parameter.key);
    if (!expected) return;
    paramGrads.set(
      parameter.key,
      relativeError(toTorchLayout(parameter, grads[variables[i]!.name]!.dataSync()), expected.data),
    );
  });
  const result: FixtureErrors = {
    output: outputError,
    inputGrad,
    paramGrads,
    expectedParamKeys: [...expectedGrads.keys()],
    trainableParams: countTrainableParams(model),
  };
  tf.dispose([input, weights, output, inputVariable, value, ...Object.values(grads)]);
  model.dispose();
  return result;
}

export function worstParam(errors: FixtureErrors): { key: string; error: number } {
  let worst = { key: '', error: 0 };
  for (const [key, error] of errors.paramGrads) if (error >= worst.error) worst = { key, error };
  return worst;
}

export function describeErrors(name: string, errors: FixtureErrors): string {
  const worst = worstParam(errors);
  return (
    `  ${name.padEnd(28)} output ${errors.output.toExponential(2)}  grad_x ${errors.inputGrad.toExponential(2)}  ` +
    `worst param grad ${worst.error.toExponential(2)} (${worst.key}; ${errors.paramGrads.size} params)`
  );
}

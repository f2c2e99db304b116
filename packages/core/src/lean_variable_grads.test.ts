import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { WaveMixArgumentError, WaveMixError } from './errors';
import { leanVariableGrads, SHAPE_ONLY_GRADIENTS } from './lean_variable_grads';
import { dwt2d } from './ops/dwt2d';
import { registerWaveMixGradients } from './gradients/register_gradients';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerWaveMixGradients();
});

/**
 * A small network with what the reverse walk must get right: a residual (a tensor read twice, its
 * gradient accumulated), broadcasting adds, batch-norm statistics, a multi-output kernel (split),
 * a DWT, a customGrad whose gradient returns its dy unchanged for both inputs, and a branch that
 * does not reach the loss.
 */
function network(depth: number) {
  const conv = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: true });
  const norm = tf.layers.batchNormalization({ axis: -1 });
  const dense = tf.layers.dense({ units: 3 });
  const unused = tf.variable(tf.ones([2]), true);
  const passThrough = tf.customGrad((...args) => ({
    value: tf.add(args[0] as tf.Tensor, args[1] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => [dy, dy],
  }));
  // Records what is live when the backward pass gets back to the first block (near the end of the walk).
  const probe = { liveBytes: 0 };
  const firstLayerProbe = tf.customGrad((...args) => ({
    value: tf.mul(args[0] as tf.Tensor, 1),
    gradFunc: (dy: tf.Tensor) => {
      probe.liveBytes = tf.memory().numBytes;
      return dy;
    },
  }));
  const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 3);
  const labels = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
  const loss = () => {
    let h = tf.pad(x, [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 4],
    ]);
    for (let i = 0; i < depth; i++) {
      const y = norm.apply(conv.apply(h), { training: true }) as tf.Tensor;
      const [left, right] = tf.split(y, 2, 3);
      h = tf.add(h, tf.concat([tf.relu(left!), right!.mul(0.5)], 3));
      h = passThrough(h, tf.mul(h, 0.1)) as tf.Tensor;
      if (i === 0) h = firstLayerProbe(h) as tf.Tensor;
    }
    tf.sum(unused.mul(2)); // on the tape, not on a path to the loss
    const pooled = tf.mean(dwt2d(h as tf.Tensor4D), [1, 2]);
    return tf.losses.softmaxCrossEntropy(labels, dense.apply(pooled) as tf.Tensor) as tf.Scalar;
  };
  return { loss, conv, dense, unused, probe };
}

function expectSameGrads(a: tf.NamedTensorMap, b: tf.NamedTensorMap) {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const name of Object.keys(a)) {
    const expected = b[name];
    if (expected == null) {
      expect(a[name]).toBeNull();
      continue;
    }
    expect(a[name]!.shape).toEqual(expected.shape);
    // Same kernels, same order, same inputs: the same bits.
    expect(Array.from(a[name]!.dataSync())).toEqual(Array.from(expected.dataSync()));
  }
}

test('gives tf.variableGrads bit for bit, for every trainable variable', () => {
  const { loss } = network(3);
  loss(); // builds the layers' weights
  const ours = leanVariableGrads(loss);
  const theirs = tf.variableGrads(loss);
  expect(ours.value.dataSync()[0]).toBe(theirs.value.dataSync()[0]);
  expect(Object.keys(ours.grads).length).toBeGreaterThanOrEqual(6); // conv, batch norm, dense
  expectSameGrads(ours.grads, theirs.grads);
  tf.dispose([ours.value, theirs.value, ours.grads, theirs.grads]);
});

test('an explicit varList: gradients of those only, null for its non-trainable ones', () => {
  const { loss, conv, dense } = network(1);
  loss();
  const frozen = tf.variable(tf.zeros([1]), false, 'leanFrozen');
  const varList = [...conv.trainableWeights, ...dense.trainableWeights].map((w) => w.read() as tf.Variable);
  const ours = leanVariableGrads(loss, [...varList, frozen]);
  const theirs = tf.variableGrads(loss, [...varList, frozen]);
  expect(ours.grads.leanFrozen).toBeNull();
  expectSameGrads(ours.grads, theirs.grads);
  tf.dispose([ours.value, theirs.value, ours.grads, theirs.grads, frozen]);
});

test('leaves no tensors behind across repeated steps, and holds a tenth of what tf.variableGrads holds near the end of the backward pass', async () => {
  const { loss, probe } = network(6);
  tf.tidy(loss); // creates the weights
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    const { value, grads } = leanVariableGrads(loss);
    tf.dispose([value, grads]);
  }
  expect(tf.memory().numTensors).toBe(before);

  const liveAtFirstBlock = (grads: typeof leanVariableGrads) => {
    const { value, grads: g } = grads(loss);
    tf.dispose([value, g]);
    return probe.liveBytes - baseline;
  };
  const baseline = tf.memory().numBytes;
  const lean = liveAtFirstBlock(leanVariableGrads);
  const stock = liveAtFirstBlock(tf.variableGrads);
  // tf.variableGrads still holds the later blocks' saved activations and all their gradients.
  expect(lean).toBeLessThan(0.2 * stock); // measured 0.09
  expect(tf.memory().numTensors).toBe(before);
});

test('what a gradient keeps only for its shape is freed as the forward pass records it', () => {
  const w = tf.variable(tf.scalar(0.5), true, 'leanShapeOnly');
  const big = tf.randomNormal([4096], 0, 1, 'float32', 9);
  // Live bytes when the backward pass starts (the loss's gradient runs first).
  let liveAtBackward = 0;
  const probe = tf.customGrad((...args) => ({
    value: tf.mul(args[0] as tf.Tensor, 1),
    gradFunc: (dy: tf.Tensor) => {
      liveAtBackward = tf.memory().numBytes;
      return dy;
    },
  }));
  // add saves both operands, reshape and mean their inputs, all for their shapes only; the
  // broadcast sum of `big` and w (16 KiB) is read by nothing else.
  const loss = () => probe(tf.mean(tf.reshape(tf.add(big, w), [64, 64]))) as tf.Scalar;
  const run = (grads: typeof leanVariableGrads) => {
    const before = tf.memory().numBytes;
    const { value, grads: g } = grads(loss, [w]);
    const dw = g.leanShapeOnly!.dataSync()[0]!;
    tf.dispose([value, g]);
    return { held: liveAtBackward - before, dw };
  };
  const lean = run(leanVariableGrads);
  const stock = run(tf.variableGrads);
  expect(lean.dw).toBe(stock.dw);
  expect(lean.dw).toBeCloseTo(1, 6); // d mean(big + w) / dw
  // tf.variableGrads still holds the 16 KiB sum (as clones for add's, reshape's and mean's
  // shapes); the lean walk holds neither the sum nor its clones.
  expect(stock.held - lean.held).toBeGreaterThanOrEqual(3 * 4096 * 4);
  expect(SHAPE_ONLY_GRADIENTS.has('Add')).toBe(true);
  tf.dispose([w, big]);
});

test('inside another gradient (higher order) it keeps the tape and equals tf.variableGrads', () => {
  const w = tf.variable(tf.scalar(1.5), true, 'leanSecondOrder');
  // d/dx of (d/dw (w x)^3) = d/dx 3 w^2 x^3 = 9 w^2 x^2
  const outer = tf.grad((x: tf.Tensor) => {
    const { value, grads } = leanVariableGrads(() => tf.pow(tf.mul(w, x), 3) as tf.Scalar, [w]);
    value.dispose();
    return grads.leanSecondOrder!;
  });
  const dx = outer(tf.scalar(2));
  expect(dx.dataSync()[0]).toBeCloseTo(9 * 1.5 ** 2 * 4, 4);
  tf.dispose([dx, w]);
});

test('bad arguments and a loss that is not a scalar of the variables get typed errors, and nothing leaks', () => {
  const w = tf.variable(tf.ones([2]), true, 'leanBad');
  const notAVariable = tf.ones([1]);
  const constant = tf.scalar(3);
  const frozen = tf.variable(tf.ones([1]), false, 'leanOnlyFrozen');
  const failingGradient = tf.customGrad((...args) => ({
    value: (args[0] as tf.Tensor).mul(2),
    gradFunc: () => {
      throw new WaveMixError('gradient exploded on purpose');
    },
  }));
  const before = tf.memory().numTensors;
  expect(() => leanVariableGrads(42 as unknown as () => tf.Scalar)).toThrow(WaveMixArgumentError);
  expect(() => leanVariableGrads(() => tf.sum(w), [notAVariable as tf.Variable])).toThrow(/varList/);
  expect(() => leanVariableGrads(() => tf.mul(w, 2) as unknown as tf.Scalar, [w])).toThrow(
    /scalar tensor.*shape \[2\]/,
  );
  expect(() => leanVariableGrads(() => tf.mul(constant, 2) as tf.Scalar, [w])).toThrow(/does not depend/);
  expect(() => leanVariableGrads(() => tf.sum(frozen), [frozen])).toThrow(/no trainable variables/);
  expect(() => leanVariableGrads(() => tf.sum(failingGradient(w) as tf.Tensor) as tf.Scalar, [w])).toThrow(
    /on purpose/,
  );
  const failingForward = () => {
    tf.mul(w, w); // saved for the gradient, then the forward pass throws
    throw new WaveMixError('forward pass failed on purpose');
  };
  expect(() => leanVariableGrads(failingForward, [w])).toThrow(/forward pass failed/);
  expect(tf.engine().state.activeTape).toBeNull();
  // tf.variableGrads leaks the loss and the tape's saved tensors when a gradient throws; this does not.
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([w, notAVariable, constant, frozen]);
});

// CommonJS consumer: the bundled MNIST test images through a small (untrained) WaveMix on the cpu
// backend with our kernels, scored with @wavemix/metrics. Also shows the ESM/CJS double-loading
// hazard: the ES module build of @wavemix/core is a second copy, where `instanceof` fails and
// `isInstance` (the error brand) does not.
const tf = require('@tensorflow/tfjs'); // includes the cpu backend and the gradients
require('@wavemix/kernels-cpu');
const core = require('@wavemix/core');
const { createModel } = require('@wavemix/models');
const { loadDataset } = require('@wavemix/datasets/node');
const { ConfusionMatrix } = require('@wavemix/metrics');

async function main() {
  await tf.setBackend('cpu');
  const test = await loadDataset('mnist', { split: 'test' });
  const model = createModel({
    task: 'classification',
    numClasses: 10,
    depth: 1,
    finalDim: 16,
    ffChannel: 16,
    level: 1,
    initialConv: 'strided',
    stride: 1,
    inChannels: 1,
    inputSize: [28, 28],
  });
  const n = 256;
  const [h, w, c] = test.imageShape;
  const { images, labels } = await test.read(Array.from({ length: n }, (_, i) => i)); // uint8 HWC images, class ids
  const xs = tf.tidy(() => tf.div(tf.tensor4d(images, [n, h, w, c], 'float32'), 255));
  const predicted = tf.tidy(() => tf.argMax(model.predict(xs), -1));
  const matrix = new ConfusionMatrix(10).update(await predicted.data(), labels);
  tf.dispose([xs, predicted]);

  const esmCore = await import('@wavemix/core'); // the ES module build: another copy of the classes
  let crossCopy;
  try {
    esmCore.dwt2d(tf.zeros([2, 2]));
  } catch (error) {
    crossCopy = {
      instanceofWorks: error instanceof core.WaveMixArgumentError,
      isInstanceWorks: core.WaveMixArgumentError.isInstance(error),
    };
  }
  console.log(
    JSON.stringify({
      backend: tf.getBackend(),
      kernels: core.hasKernel('WaveMixDwt2D'),
      images: n,
      accuracy: matrix.accuracy(),
      params: model.countParams(),
      crossCopy,
    }),
  );
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});

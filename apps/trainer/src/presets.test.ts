// Every preset's model fits its dataset's shape (the data of most presets is not available here, so
// this builds each model against the shape and classes its reader reports).
import * as tf from '@tensorflow/tfjs';
import { createModel } from '@wavemix/models';
import type { Dataset } from '@wavemix/datasets';
import { buildConfig } from './config';
import { PRESETS } from './presets';
import { modelConfigFor } from './model_setup';

const DATA: Record<string, Partial<Dataset>> = {
  mnist: { task: 'classification', imageShape: [28, 28, 1], numClasses: 10 },
  'fashion-mnist': { task: 'classification', imageShape: [28, 28, 1], numClasses: 10 },
  cifar10: { task: 'classification', imageShape: [32, 32, 3], numClasses: 10 },
  cityscapes: { task: 'segmentation', imageShape: [256, 512, 3], numClasses: 19 },
  div2k: { task: 'super-resolution', imageShape: [48, 48, 3], numClasses: 0 },
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test.each(Object.keys(PRESETS))('preset %s builds a model for its dataset', (name) => {
  const config = buildConfig([{ source: name, values: PRESETS[name]!.values as Record<string, unknown> }]);
  const data = { name: config.dataset, ...DATA[config.dataset] } as Dataset;
  expect(data.task).toBeDefined();
  const { modelConfig } = modelConfigFor(config, data);
  const model = createModel(modelConfig);
  const [, h, w] = model.inputs[0]!.shape;
  if (data.task !== 'super-resolution') expect([h, w]).toEqual(data.imageShape!.slice(0, 2));
  model.dispose();
});

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  createPipeline,
  disposeBatch,
  DatasetArgumentError,
  InMemoryDataset,
  splitDataset,
  splitIndices,
  toTfDataset,
  type Batch,
  type PipelineOptions,
} from '../index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 50 images of 4 x 4 x 3 whose pixels encode their index, labels = index % 5. */
function toyDataset(n = 50): InMemoryDataset {
  const images = new Uint8Array(n * 48);
  for (let i = 0; i < n; i++) for (let p = 0; p < 48; p++) images[i * 48 + p] = (i * 5 + p) % 256;
  return new InMemoryDataset({
    name: 'toy',
    split: 'train',
    task: 'classification',
    imageShape: [4, 4, 3],
    images,
    labels: Int32Array.from({ length: n }, (_, i) => i % 5),
    numClasses: 5,
    classNames: ['a', 'b', 'c', 'd', 'e'],
    mean: [0.5, 0.25, 0.5],
    std: [0.5, 0.25, 0.125],
  });
}

async function collect(options: PipelineOptions, epochs = 1, dataset = toyDataset()) {
  const pipeline = createPipeline(dataset, options);
  const out: Array<{ indices: number[]; x: number[]; y: number[] }> = [];
  for (let e = 0; e < epochs; e++) {
    for await (const batch of pipeline.epochBatches()) {
      out.push({
        indices: Array.from(batch.indices),
        x: Array.from(batch.xs.dataSync()),
        y: Array.from(batch.ys.dataSync()),
      });
      disposeBatch(batch);
    }
  }
  return { pipeline, out };
}

const augment = { randomCrop: { padding: 1 }, horizontalFlip: true, trivialAugment: true } as const;

test('batches: shapes, dtypes, normalisation, last partial batch', async () => {
  const pipeline = createPipeline(toyDataset(), { batchSize: 16, shuffle: false });
  const batches: Batch[] = [];
  for await (const b of pipeline.epochBatches()) batches.push(b);
  expect(batches.map((b) => b.xs.shape[0])).toEqual([16, 16, 16, 2]);
  expect(batches[0]!.xs.shape).toEqual([16, 4, 4, 3]);
  expect(batches[0]!.xs.dtype).toBe('float32');
  expect(batches[0]!.ys.dtype).toBe('int32');
  expect(Array.from(batches[1]!.ys.dataSync()).slice(0, 3)).toEqual([1, 2, 3]);
  // Example 0, pixel 1 (green) = 1: (1/255 - 0.25) / 0.25.
  expect(batches[0]!.xs.dataSync()[1]).toBeCloseTo((1 / 255 - 0.25) / 0.25, 6);
  expect(pipeline.epoch).toBe(1);
  batches.forEach(disposeBatch);
  expect(tf.memory().numTensors).toBe(0);
  const dropped = createPipeline(toyDataset(), { batchSize: 16, dropRemainder: true });
  expect([dropped.examplesPerEpoch, dropped.batchesPerEpoch]).toEqual([48, 3]);
});

test('the same seed gives the same batches; another seed or epoch gives others', async () => {
  const a = await collect({ batchSize: 8, seed: 7, augment }, 2);
  const b = await collect({ batchSize: 8, seed: 7, augment, prefetch: 5 }, 2);
  const c = await collect({ batchSize: 8, seed: 8, augment }, 1);
  expect(b.out).toEqual(a.out);
  expect(c.out[0]!.indices).not.toEqual(a.out[0]!.indices);
  const epoch0 = a.out.slice(0, 7).flatMap((o) => o.indices);
  const epoch1 = a.out.slice(7).flatMap((o) => o.indices);
  expect([...epoch0].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  expect(epoch1).not.toEqual(epoch0);
  // Augmentation changes pixels but keeps labels with their images.
  const plain = await collect({ batchSize: 8, seed: 7 }, 1);
  expect(plain.out[0]!.indices).toEqual(a.out[0]!.indices);
  expect(plain.out[0]!.x).not.toEqual(a.out[0]!.x);
  expect(a.out[0]!.y).toEqual(a.out[0]!.indices.map((i) => i % 5));
});

test('resuming from a saved state mid-epoch continues with exactly the same batches', async () => {
  const reference = await collect({ batchSize: 8, seed: 3, augment }, 3);
  const first = createPipeline(toyDataset(), { batchSize: 8, seed: 3, augment });
  const seen: typeof reference.out = [];
  let saved = first.state();
  // Stop after 10 batches (in the second epoch), keeping the state after the last consumed one.
  outer: for (let e = 0; e < 3; e++) {
    for await (const batch of first.epochBatches()) {
      seen.push({
        indices: Array.from(batch.indices),
        x: Array.from(batch.xs.dataSync()),
        y: Array.from(batch.ys.dataSync()),
      });
      disposeBatch(batch);
      saved = JSON.parse(JSON.stringify(first.state()));
      if (seen.length === 10) break outer;
    }
  }
  expect(saved).toMatchObject({ epoch: 1, position: 24, seed: 3, batchSize: 8 });
  const resumed = createPipeline(toyDataset(), { batchSize: 8, seed: 3, augment, state: saved });
  while (resumed.epoch < 3) {
    for await (const batch of resumed.epochBatches()) {
      seen.push({
        indices: Array.from(batch.indices),
        x: Array.from(batch.xs.dataSync()),
        y: Array.from(batch.ys.dataSync()),
      });
      disposeBatch(batch);
    }
  }
  expect(seen).toEqual(reference.out);
  // The state right after the last batch of an epoch points at the next epoch.
  expect(resumed.state()).toMatchObject({ epoch: 3, position: 0 });
  expect(() => createPipeline(toyDataset(), { batchSize: 4, seed: 3, state: saved })).toThrow(/batchSize/);
  expect(() => createPipeline(toyDataset(), { batchSize: 8, seed: 3, state: { ...saved, position: 5 } })).toThrow(
    /position/,
  );
});

test('limit, seeded split and a tf.data.Dataset', async () => {
  const limited = await collect({ batchSize: 4, shuffle: false, limit: 6 });
  expect(limited.out.flatMap((o) => o.indices)).toEqual([0, 1, 2, 3, 4, 5]);
  const s1 = splitIndices(50, { validationFraction: 0.2, seed: 1 });
  const s2 = splitIndices(50, { validationFraction: 0.2, seed: 1 });
  expect(s1).toEqual(s2);
  expect(s1.validation).toHaveLength(10);
  expect([...s1.train, ...s1.validation].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  expect(splitIndices(50, { validationFraction: 0.2, seed: 2 }).validation).not.toEqual(s1.validation);
  const { validation } = splitDataset(toyDataset(), { validationFraction: 0.2, seed: 1 });
  const val = await collect({ batchSize: 32, shuffle: false }, 1, validation as unknown as InMemoryDataset);
  expect(val.out[0]!.indices).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // indices of the view...
  expect(val.out[0]!.y).toEqual(Array.from(s1.validation, (i) => i % 5)); // ...reading the right examples

  const pipeline = createPipeline(toyDataset(), { batchSize: 20, seed: 5 });
  const ds = toTfDataset(pipeline);
  const sizes: number[] = [];
  await ds.forEachAsync((element) => {
    const { xs, ys } = element as { xs: tf.Tensor; ys: tf.Tensor };
    sizes.push(xs.shape[0]!, ys.shape[0]!);
    tf.dispose([xs, ys]);
  });
  expect(sizes).toEqual([20, 20, 20, 20, 10, 10]);
  expect(pipeline.epoch).toBe(1); // one iteration of the tf.data.Dataset is one pipeline epoch
  expect(tf.memory().numTensors).toBe(0);
});

test('segmentation: crop and flip move the target with the image; padding is ignore index', async () => {
  const n = 4;
  const images = Uint8Array.from({ length: n * 3 * 5 }, (_, i) => i % 200);
  const targets = Uint8Array.from({ length: n * 3 * 5 }, (_, i) => (i % 200) % 3);
  const ds = new InMemoryDataset({
    name: 'seg',
    split: 'train',
    task: 'segmentation',
    imageShape: [3, 5, 1],
    targetShape: [3, 5],
    images,
    targets,
    numClasses: 3,
    classNames: ['x', 'y', 'z'],
    ignoreIndex: 255,
    mean: [0],
    std: [1],
  });
  const pipeline = createPipeline(ds, {
    batchSize: 4,
    seed: 1,
    augment: { randomCrop: { padding: 2 }, horizontalFlip: true },
  });
  for await (const batch of pipeline.epochBatches()) {
    expect(batch.ys.shape).toEqual([4, 3, 5]);
    const x = batch.xs.dataSync();
    const y = batch.ys.dataSync();
    for (let i = 0; i < x.length; i++) {
      const pixel = Math.round(x[i]! * 255);
      if (y[i] === 255)
        expect(pixel).toBe(0); // padding
      else expect(y[i]).toBe(pixel % 3); // the target still belongs to its pixel
    }
    disposeBatch(batch);
  }
  expect(() => createPipeline(ds, { batchSize: 2, augment: { trivialAugment: true } })).toThrow(/classification/);
});

test('bad options are typed errors', () => {
  expect(() => createPipeline(toyDataset(), { batchSize: 0 })).toThrow(DatasetArgumentError);
  expect(() => createPipeline(toyDataset(), { batchSize: 2, augment: { horizontalFlip: 2 } })).toThrow(/probability/);
  const bad = new InMemoryDataset({
    ...toyDataset(),
    images: new Uint8Array(48),
    labels: Int32Array.of(7),
    imageShape: [4, 4, 3],
    name: 'bad',
  });
  return expect(collect({ batchSize: 1 }, 1, bad)).rejects.toThrow(/class id 7/);
});

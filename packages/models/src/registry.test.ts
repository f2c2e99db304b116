import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { countTrainableParams, createModel } from './create_model';
import { getModelInfo, listModels } from './registry';
import { getWaveMixMetadata } from './metadata';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Specification §6 (docs/specification.md): exact trainable parameter counts (PyTorch's count). */
const SPEC_SECTION_6: Array<[string, number]> = [
  ['imagenet-wavemix-192-16', 27_857_608],
  ['imagenet-wavemix-lite-192-16', 12_494_536],
  ['places365-wavemix-256-12', 28_449_261],
  ['cifar10-wavemix-lite-144-7', 3_042_550],
  ['cifar10-wavemix-lite-64-6', 520_106],
  ['fashion-mnist-wavemix-lite-8-5', 7_156],
  ['cityscapes-wavemix-256-16', 63_164_628],
  ['cityscapes-wavemix-192-16-decoder', 28_190_388],
  ['sisr-wavemix-144-4', 1_944_867],
  ['wavemixsr-144-4', 1_704_385],
];

const counts: string[] = [];
afterAll(() => console.log(`Registry trainable parameters (built models):\n${counts.join('\n')}`));

describe('registry', () => {
  it('lists every configuration of specification §6 and §7 (docs/specification.md) with task, input size, count and result', () => {
    const models = listModels();
    expect(new Set(models.map((m) => m.name)).size).toBe(models.length);
    for (const [name] of SPEC_SECTION_6) expect(models.map((m) => m.name)).toContain(name);
    // Specification §7 results that have a configuration of their own.
    const published = models.flatMap((m) => (m.published ? [`${m.published.dataset} ${m.published.value}`] : []));
    for (const result of [
      'Cityscapes val 82.7',
      'Cityscapes val 83.04',
      'ImageNet-1k 75.32',
      'Places-365 56.45',
      'Galaxy10 DECals 95.42',
      'EMNIST Letters 95.96',
      'EMNIST Balanced 91.06',
      'CIFAR-10 94.58',
      'CIFAR-10 95.37',
      'CIFAR-100 78.81',
      'MNIST 99.71',
      'MNIST 99',
      'Fashion-MNIST 93.91',
      'Fashion-MNIST 90',
      'BSD100 x2 33.08',
    ]) {
      expect(published).toContain(result);
    }
    for (const m of models) {
      expect(m.task).toBe(m.config.task);
      expect(m.inputSize).toEqual(m.config.inputSize ?? null);
      expect(m.trainableParams).toBeGreaterThan(0);
    }
  });

  it.each(SPEC_SECTION_6)('%s has exactly the specification §6 count (%d)', (name, expected) => {
    expect(getModelInfo(name).trainableParams).toBe(expected);
  });

  // Building is what makes the counts real. The big ones take a few seconds each on the cpu backend.
  it.each(listModels().map((m) => [m.name, m.trainableParams]))(
    'createModel(%p) builds %d trainable parameters',
    (name, expected) => {
      const model = createModel(name as string);
      const trainable = countTrainableParams(model);
      counts.push(
        `  ${String(name).padEnd(38)} ${trainable.toLocaleString('en-US').padStart(11)}  (countParams ${model.countParams().toLocaleString('en-US')})`,
      );
      expect(trainable).toBe(expected);
      model.dispose();
    },
  );

  it('refuses unknown names, listing the known ones', () => {
    expect(() => createModel('wavemix-9000')).toThrow(/unknown model "wavemix-9000"; known: imagenet-wavemix-192-16/);
  });

  it('applies overrides to a registry entry and records the name in the metadata', () => {
    const model = createModel('fashion-mnist-wavemix-lite-8-5', {
      overrides: { numClasses: 3 },
      classNames: ['a', 'b', 'c'],
    });
    expect(model.outputs[0]!.shape).toEqual([null, 3]);
    expect(model.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
    const metadata = getWaveMixMetadata(model)!;
    expect(metadata.name).toBe('fashion-mnist-wavemix-lite-8-5');
    expect(metadata.classNames).toEqual(['a', 'b', 'c']);
    expect(metadata.config).toMatchObject({
      task: 'classification',
      finalDim: 8,
      depth: 5,
      numClasses: 3,
      inChannels: 1,
    });
    expect(metadata.preprocessing.colorSpace).toBe('grayscale');
  });
});

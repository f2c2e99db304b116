/**
 * The benchmark workloads of issues 8 and 16 (W1-W6), shared by wavemix-bench and the A/B
 * scripts in tools/bench/scripts (built to dist/workloads.js, which runs nothing on import).
 */
import type { WaveMixConfig } from '@wavemix/models';

export interface Workload {
  description: string;
  model?: string;
  config?: WaveMixConfig;
  mode: 'train' | 'infer';
  batchSize: number;
  pytorch: string;
}

/** The workloads of issue 8, with the PyTorch 1.13 CPU figures measured on the same machine. */
export const WORKLOADS: Record<string, Workload> = {
  W1: {
    description: 'train Lite-64/6, 3x32x32, batch 64',
    model: 'cifar10-wavemix-lite-64-6',
    mode: 'train',
    batchSize: 64,
    pytorch: '22 images/s',
  },
  W2: {
    description: 'infer Lite-64/6, 3x32x32, batch 64',
    model: 'cifar10-wavemix-lite-64-6',
    mode: 'infer',
    batchSize: 64,
    pytorch: '150-190 images/s',
  },
  W3: {
    description: 'infer WaveMix-192/16 level 3 P4, 224x224, batch 1',
    model: 'imagenet-wavemix-192-16',
    mode: 'infer',
    batchSize: 1,
    pytorch: '0.9 s per image',
  },
  W6: {
    description: 'train Lite-144/7, 3x32x32, batch 256 (large batch: GPU-sized)',
    model: 'cifar10-wavemix-lite-144-7',
    mode: 'train',
    batchSize: 256,
    pytorch: 'not measured',
  },
  W5: {
    description: 'train Lite-16/4, 1x28x28, batch 128',
    config: {
      task: 'classification',
      numClasses: 10,
      depth: 4,
      mult: 2,
      ffChannel: 16,
      finalDim: 16,
      dropout: 0.5,
      level: 1,
      initialConv: 'strided',
      stride: 1,
      inChannels: 1,
      inputSize: [28, 28],
    },
    mode: 'train',
    batchSize: 128,
    pytorch: '250 images/s',
  },
};

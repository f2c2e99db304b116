import { registerKernelsOnce } from '@wavemix/core';
import { webgpuKernelConfigs } from './base';
import { registerWebGPUTrainingGradients } from './gradients';

registerKernelsOnce(webgpuKernelConfigs);
registerWebGPUTrainingGradients();

import { registerKernelsOnce } from '@wavemix/core';
import { wasmKernelConfigs } from './base';
import { registerWasmTrainingKernels } from './train/register_training';

registerKernelsOnce(wasmKernelConfigs);
registerWasmTrainingKernels();

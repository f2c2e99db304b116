// The backend's kernels must be registered before ours replace some of them.
import '@tensorflow/tfjs-backend-wasm';
import { registerKernelsOnce } from '@wavemix/core';
import { wasmKernelConfigs } from './base';
import { registerWasmTrainingKernels } from './train/register_training';

registerKernelsOnce(wasmKernelConfigs);
registerWasmTrainingKernels();

import { registerKernelsOnce } from '@wavemix/core';
import { wasmKernelConfigs } from './base';

registerKernelsOnce(wasmKernelConfigs);

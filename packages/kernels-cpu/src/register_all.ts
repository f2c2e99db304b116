import { registerKernelsOnce } from '@wavemix/core';
import { cpuKernelConfigs } from './base';

registerKernelsOnce(cpuKernelConfigs);

import { registerKernelsOnce } from '@wavemix/core';
import { webgpuKernelConfigs } from './base';

registerKernelsOnce(webgpuKernelConfigs);

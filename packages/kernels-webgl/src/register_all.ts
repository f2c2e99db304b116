import { registerKernelsOnce } from '@wavemix/core';
import { webglKernelConfigs } from './base';

registerKernelsOnce(webglKernelConfigs);

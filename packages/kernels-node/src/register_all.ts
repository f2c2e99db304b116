import { registerKernelsOnce } from '@wavemix/core';
import { nodeKernelConfigs } from './base';

registerKernelsOnce(nodeKernelConfigs);

#!/usr/bin/env node
import { runBuilt } from './run.mjs';

await runBuilt('wavemix-bench-kernels', 'kernels.js');

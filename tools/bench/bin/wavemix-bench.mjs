#!/usr/bin/env node
import { runBuilt } from './run.mjs';

await runBuilt('wavemix-bench', 'wavemix-bench.js');

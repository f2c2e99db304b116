#!/usr/bin/env node
import { runBuilt } from './run.mjs';

await runBuilt('wavemix-bench-roofline', 'roofline.js');

#!/usr/bin/env node
// Where a WebGPU training step's time and traffic go (issue 14): kernels by name and category,
// GPU dispatches, host->GPU uploads, readbacks, new pipelines, host and wall ms per step, GPU ms
// per kernel where the adapter has timestamp queries. Needs `npm run build` (tools/bench/dist).
//
//   node tools/bench/scripts/webgpu-step-profile.mjs --json .bench/step-profile.json                 # a GPU
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json \
//     node tools/bench/scripts/webgpu-step-profile.mjs --allow-software-gpu --warmup 1 --steps 2     # SwiftShader
//
// Options (see src/step_profile.ts): --model NAME | --config JSON|FILE, --batch-size N (64), --img-size H W,
// --warmup N (2), --steps N (5), --loss-read-every N (10, the trainer's GPU default), --top N (15),
// --json FILE, --allow-software-gpu, --vulkan-icd FILE, --gpu-adapter NAME, --composite-adamw, --stock-gradients (before/after: AdamW unfused, tfjs Mean/Sum gradients).
import { runBuilt } from '../bin/run.mjs';

await runBuilt('webgpu-step-profile', 'webgpu-step-profile.js');

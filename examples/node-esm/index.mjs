// Classify an image with WaveMix-Lite-144/7 (CIFAR-10) in Node, on WebAssembly with our kernels.
// The checkpoint comes from the official URL, or from WAVEMIX_WEIGHTS_BASE_URL (a mirror URL or
// folder), or from the path given as the first argument.
import * as tf from '@tensorflow/tfjs';
import '@wavemix/kernels-wasm'; // registers tfjs-backend-wasm (now the preferred backend) and our kernels
import { hasKernel } from '@wavemix/core';
import { load, WaveMixWeightsError } from '@wavemix/models';

await tf.ready(); // the wasm backend initialises asynchronously

// A 32x32 RGB test image: a red square on a blue background.
const data = new Uint8Array(32 * 32 * 3);
for (let y = 0; y < 32; y++) {
  for (let x = 0; x < 32; x++) {
    const inside = x >= 8 && x < 24 && y >= 8 && y < 24;
    data.set(inside ? [220, 30, 30] : [30, 60, 200], (y * 32 + x) * 3);
  }
}

let classifier;
try {
  classifier = await load('cifar10-wavemix-lite-144-7', process.argv[2] ? { weights: process.argv[2] } : {});
} catch (error) {
  if (WaveMixWeightsError.isInstance(error)) {
    console.error(`no checkpoint: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
const top3 = await classifier.classify({ data, width: 32, height: 32 }, 3);
console.log(JSON.stringify({ backend: tf.getBackend(), kernels: hasKernel('WaveMixDwt2D'), top3 }));
classifier.dispose();

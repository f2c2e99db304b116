// Classify an image with WaveMix-Lite-144/7 on WebGPU (or WebGL where WebGPU is missing), with the
// WaveMix kernels of both backends. `?backend=webgl` forces one; `?weights=<base URL>` points at a
// mirror of the official checkpoints (default: `weights/` next to the page; `official` fetches them
// from the official URL).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import '@wavemix/kernels-webgl';
import '@wavemix/kernels-webgpu';
import { hasKernel } from '@wavemix/core';
import { load } from '@wavemix/models';

const params = new URLSearchParams(location.search);
const output = document.querySelector<HTMLPreElement>('#result')!;

async function pickBackend(): Promise<string> {
  for (const name of params.get('backend') ? [params.get('backend')!] : ['webgpu', 'webgl']) {
    if (await tf.setBackend(name).catch(() => false)) return name;
  }
  throw new Error('neither WebGPU nor WebGL is available');
}

/** A 32x32 test image: a red square on a blue background. */
function drawImage(canvas: HTMLCanvasElement): HTMLCanvasElement {
  const context = canvas.getContext('2d')!;
  context.fillStyle = 'rgb(30, 60, 200)';
  context.fillRect(0, 0, 32, 32);
  context.fillStyle = 'rgb(220, 30, 30)';
  context.fillRect(8, 8, 16, 16);
  return canvas;
}

try {
  const backend = await pickBackend();
  const weights = params.get('weights') ?? new URL('weights/', location.href).href;
  const classifier = await load(
    'cifar10-wavemix-lite-144-7',
    weights === 'official' ? {} : { weightsBaseUrl: weights },
  );
  const top3 = await classifier.classify(drawImage(document.querySelector<HTMLCanvasElement>('#image')!), 3);
  const result = { backend, kernels: hasKernel('WaveMixDwt2D'), top3 };
  output.textContent = `${top3.map((c) => `${c.className}: ${(100 * c.probability).toFixed(1)} %`).join('\n')}\n(${backend})`;
  (globalThis as { wavemixResult?: unknown }).wavemixResult = result;
  classifier.dispose();
} catch (error) {
  output.textContent = `failed: ${(error as Error).message}`;
  (globalThis as { wavemixResult?: unknown }).wavemixResult = { error: (error as Error).message };
}

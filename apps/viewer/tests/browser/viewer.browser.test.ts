/**
 * The viewer in headless Chromium (Debian's, through @wavemix/browser-harness: SwiftShader WebGL2
 * and WebGPU, every non-local request aborted and reported). Serves the built app (dist/) and
 * checks what the page computes against the same ops run in Node on the cpu backend.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { bicubicUpsample2x } from '@wavemix/core';
import {
  launchChromium,
  openPage,
  startLocalServer,
  type LaunchedChromium,
  type LocalServer,
  type PageSession,
} from '@wavemix/browser-harness';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { cropRgba, downscale2x, psnrRgba } from '../../src/logic/psnr';
import { parseMetricsJsonl } from '../../src/logic/metrics_jsonl';
import { APP, decodePng, maxAbsDifference, nodeClassify, nodePyramid, RUN, SAMPLES, type Hook } from './reference';
import { compareScreenshot, OUTPUT_DIR, type ScreenshotComparison } from './screenshots';

const DIST = join(APP, 'dist');
const MNIST_DIGITS = [7, 2, 1, 0];

declare const __wavemix: Hook;

let browser: LaunchedChromium;
let server: LocalServer;
let session: PageSession;
let page: Page;
const screenshots: ScreenshotComparison[] = [];

const idle = () => page.evaluate(() => __wavemix['idle']!());
const hook = <T>(name: string, ...args: unknown[]) =>
  page.evaluate(([n, a]) => __wavemix[n as string]!(...(a as unknown[])), [name, args] as const) as Promise<T>;
const messages = () => hook<string[]>('messages');
let seenMessages = 0;
/** Messages shown since the last call (every error the page reports is kept in order). */
async function newMessages(): Promise<string[]> {
  const all = await messages();
  const fresh = all.slice(seenMessages);
  seenMessages = all.length;
  return fresh;
}

async function openApp(query = ''): Promise<PageSession> {
  const s = await openPage(browser.context, `${server.origin}/${query}`);
  await s.page.waitForFunction(
    () => (globalThis as unknown as { __wavemix?: Hook }).__wavemix?.ready === true,
    undefined,
    { timeout: 60_000 },
  );
  return s;
}

async function expectBandsMatchNode(expected: ReturnType<typeof nodePyramid>, backend: string): Promise<number> {
  let worst = 0;
  for (let level = 1; level <= expected.levels.length; level++) {
    const actual = await hook<number[]>('level', level);
    const difference = maxAbsDifference(actual, expected.levels[level - 1]!);
    // float32 on GPU backends: a few ulps of values up to 2^level
    expect({ backend, level, ok: difference <= 1e-5 * 2 ** level }).toEqual({ backend, level, ok: true });
    worst = Math.max(worst, difference);
  }
  return worst;
}

async function selectBackend(name: string): Promise<void> {
  await page.selectOption('#backend', name);
  await idle();
}

beforeAll(async () => {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`build the app first (npm run build in ${APP})`);
  server = await startLocalServer({ root: DIST });
  browser = await launchChromium();
  session = await openApp('?backend=cpu');
  page = session.page;
  await page.setViewportSize({ width: 1280, height: 900 });
});

afterAll(async () => {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  writeFileSync(join(OUTPUT_DIR, 'screenshots.json'), `${JSON.stringify(screenshots, null, 2)}\n`);
  await browser?.close();
  await server?.close();
});

describe('the viewer page', () => {
  it('has a title with WaveMix and starts on the requested backend', async () => {
    expect(await page.title()).toContain('WaveMix');
    expect(await hook('backend')).toBe('cpu');
    await expect(page.textContent('#backend-status')).resolves.toContain('Active backend: cpu');
  });

  const chelsea = join(SAMPLES, 'chelsea.png');
  let expected: ReturnType<typeof nodePyramid>;

  it('opens an uploaded image, pads it, and shows bands equal to dwt2d computed in Node', async () => {
    expected = nodePyramid(chelsea, 2);
    await page.setInputFiles('#image-file', chelsea);
    await idle();
    expect(await newMessages()).toEqual([]);
    await expect(page.textContent('#fit-info')).resolves.toContain('225×150: padded to 240×160');
    expect(await hook('fit')).toMatchObject({ width: 240, height: 160, padded: true, resized: false });
    // The page decoded and padded the image exactly as the Node reference did.
    expect(maxAbsDifference(await hook<number[]>('image'), expected.image)).toBe(0);
    await expectBandsMatchNode(expected, 'cpu');
    // Eight labelled band canvases (two levels), energies in data attributes.
    const bands = await page.$$eval('#bands canvas', (cs) =>
      cs.map(
        (c) =>
          ({ ...(c as HTMLCanvasElement).dataset, w: (c as HTMLCanvasElement).width }) as Record<
            string,
            string | number
          >,
      ),
    );
    expect(bands.map((b) => `${b['level']}${b['band']}`)).toEqual([
      '1LL',
      '1LH',
      '1HL',
      '1HH',
      '2LL',
      '2LH',
      '2HL',
      '2HH',
    ]);
    expect(bands[0]!.w).toBe(120);
    await expect(page.locator('#bands figcaption .name').allTextContents()).resolves.toEqual([
      'LL',
      'LH',
      'HL',
      'HH',
      'LL',
      'LH',
      'HL',
      'HH',
    ]);
    // Energy of HL at level 1, channel R: the Node bands, channel layout LL0..2 then LH,HL,HH per channel.
    const level1 = expected.levels[0]!;
    let hl = 0;
    for (let p = 0; p < level1.length / 12; p++) hl += level1[p * 12 + 4]! ** 2;
    expect(Number(bands[2]!['energy'])).toBeCloseTo(hl, 2);
    expect(await hook<number>('perfectReconstructionError')).toBeLessThan(1e-5);
  });

  it('shows the other channels and deeper levels', async () => {
    await page.selectOption('#channel', '2');
    const energies = await page.$$eval('#bands canvas', (cs) =>
      cs.map((c) => Number((c as HTMLCanvasElement).dataset['share'])),
    );
    // Orthonormal transform: detail bands of both levels plus the level-2 LL hold all the energy.
    const [, lh1, hl1, hh1, ll2, lh2, hl2, hh2] = energies as number[];
    expect(lh1! + hl1! + hh1! + ll2! + lh2! + hl2! + hh2!).toBeCloseTo(1, 4);
    await page.selectOption('#channel', '0');
    await page.selectOption('#levels', '4');
    await idle();
    expect((await hook<unknown[]>('levels')).length).toBe(4);
    await expectBandsMatchNode(nodePyramid(chelsea, 4), 'cpu');
    await page.selectOption('#levels', '2');
    await idle();
  });

  it('rebuilds the image without a clicked band through the inverse transform', async () => {
    await page.click('#bands figure[data-level="1"][data-band="HH"]');
    await idle();
    await expect(page.isVisible('#reconstruction')).resolves.toBe(true);
    const removal = await hook<{ level: number; band: string; psnr: number }>('reconstruction');
    expect(removal).toMatchObject({ level: 1, band: 'HH' });
    // Dropping HH removes only fine diagonal detail: high PSNR, but not a perfect copy.
    expect(removal.psnr).toBeGreaterThan(25);
    expect(Number.isFinite(removal.psnr)).toBe(true);
    await page.click('#bands figure[data-level="2"][data-band="LL"]');
    await idle();
    const coarse = await hook<{ psnr: number }>('reconstruction');
    expect(coarse.psnr).toBeLessThan(removal.psnr); // the approximation carries most of the image
    screenshots.push(compareScreenshot('subbands-cpu', await page.locator('#subbands-section').screenshot()));
    await page.click('#bands figure[data-level="2"][data-band="LL"]'); // toggles off
    await idle();
    await expect(page.isVisible('#reconstruction')).resolves.toBe(false);
  });

  it('switches backends and gives the same bands on webgl, wasm and webgpu with our kernels', async () => {
    for (const backend of ['webgl', 'wasm', 'webgpu', 'cpu']) {
      await selectBackend(backend);
      expect(await newMessages()).toEqual([]);
      expect(await hook('backend')).toBe(backend);
      await expect(page.textContent('#backend-status')).resolves.toContain(`Active backend: ${backend}`);
      expect(await hook('kernels')).toEqual(['WaveMixDwt2D', 'WaveMixIdwt2D', 'WaveMixWaveletPyramid']);
      await expectBandsMatchNode(expected, backend);
      expect(await hook<number>('perfectReconstructionError')).toBeLessThan(1e-5);
    }
  });

  it('refuses a non-image file with a visible message and stays usable', async () => {
    await page.setInputFiles('#image-file', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not an image'),
    });
    await idle();
    await expect(page.locator('#image-section .message').last().textContent()).resolves.toContain(
      'notes.txt is not an image (its type is text/plain)',
    );
    await page.setInputFiles('#image-file', {
      name: 'broken.png',
      mimeType: 'image/png',
      buffer: Buffer.from('PNG? no'),
    });
    await idle();
    await expect(page.locator('#image-section .message').last().textContent()).resolves.toContain(
      'broken.png could not be decoded as an image',
    );
    expect(await newMessages()).toHaveLength(2);
    // The previous image and its bands are still there.
    expect(await hook('fit')).toMatchObject({ width: 240, height: 160 });
    expect((await hook<unknown[]>('levels')).length).toBe(2);
  });

  it('opens an image dropped on the drop zone', async () => {
    const bytes = readFileSync(join(SAMPLES, 'mnist-7.png')).toString('base64');
    const transfer = await page.evaluateHandle((b64) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([data], 'digit.png', { type: 'image/png' }));
      return dt;
    }, bytes);
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer: transfer });
    await idle();
    await expect(page.textContent('#fit-info')).resolves.toBe(
      'digit.png, 28×28: padded to 32×32 (4 px right, 4 px bottom, edge pixels repeated).',
    );
    await expectBandsMatchNode(nodePyramid(join(SAMPLES, 'mnist-7.png'), 2), 'cpu');
  });

  it('resizes an image larger than 256 px and says so', async () => {
    const png = new PNG({ width: 600, height: 300 });
    for (let i = 0; i < png.data.length; i += 4) png.data.set([(i / 4) % 256, 90, 200, 255], i);
    await page.setInputFiles('#image-file', { name: 'wide.png', mimeType: 'image/png', buffer: PNG.sync.write(png) });
    await idle();
    await expect(page.textContent('#fit-info')).resolves.toContain(
      '600×300: resized to 256×128 (longest side at most 256 px)',
    );
    expect(await hook('fit')).toMatchObject({ resized: true, padded: false, width: 256, height: 128 });
  });
});

describe('models', () => {
  const modelDir = join(RUN, 'model');

  it('loads the trained model from a trainer output folder and predicts the digits (top-1)', async () => {
    await page.click('button[data-sample="mnist-7"]');
    await idle();
    await page.setInputFiles('#model-files', [join(modelDir, 'model.json'), join(modelDir, 'weights.bin')]);
    await idle();
    expect(await newMessages()).toEqual([]);
    await expect(page.textContent('#model-info')).resolves.toContain('classification');
    for (const digit of MNIST_DIGITS) {
      await page.click(`button[data-sample="mnist-${digit}"]`);
      await idle();
      const predictions = await hook<Array<{ className: string; probability: number }>>('predictions');
      expect(predictions).toHaveLength(5);
      // Class names from the model's metadata (the trainer writes MNIST's '0'..'9').
      expect(predictions[0]!.className).toBe(String(digit));
      await expect(page.getAttribute('#topk-list', 'data-top1')).resolves.toBe(String(digit));
      const reference = await nodeClassify(digit);
      expect(predictions.map((p) => p.className)).toEqual(reference.map((p) => p.className));
      predictions.forEach((p, i) => expect(Math.abs(p.probability - reference[i]!.probability)).toBeLessThan(1e-4));
    }
    expect(await hook('modelInput')).toEqual({ width: 28, height: 28, resized: false });
    expect(await hook('features')).toMatchObject({ layer: 'layers.1.residual', shape: [1, 14, 14, 16] });
    screenshots.push(compareScreenshot('model-classification', await page.locator('#models-section').screenshot()));
  });

  it('gives the same top-1 on the webgl backend', async () => {
    await selectBackend('webgl');
    await page.click('button[data-sample="mnist-2"]');
    await idle();
    expect((await hook<Array<{ className: string }>>('predictions'))[0]!.className).toBe('2');
    await selectBackend('cpu');
  });

  it('leaks no tensors when the same image and model run again', async () => {
    await page.click('button[data-sample="mnist-7"]');
    await idle();
    const before = await hook<number>('numTensors');
    for (let i = 0; i < 2; i++) {
      await page.click('button[data-sample="mnist-7"]');
      await idle();
      await page.click('#bands figure[data-level="1"][data-band="LH"]');
      await idle();
    }
    expect(await hook<number>('numTensors')).toBe(before);
  });

  it('loads the same network from PyTorch safetensors plus its config', async () => {
    await page.click('button[data-sample="mnist-2"]');
    await idle();
    await page.setInputFiles('#pytorch-weights', join(RUN, 'model.safetensors'));
    await page.setInputFiles('#pytorch-config', join(RUN, 'model-config.json'));
    await page.click('#pytorch-load');
    await idle();
    expect(await newMessages()).toEqual([]);
    await expect(page.textContent('#model-info')).resolves.toContain('model.safetensors with model-config.json');
    expect((await hook<Array<{ className: string }>>('predictions'))[0]!.className).toBe('2');
  });

  it('says so when the config does not match the weights, and keeps the loaded model', async () => {
    const config = JSON.parse(readFileSync(join(RUN, 'model-config.json'), 'utf8'));
    await page.setInputFiles('#pytorch-config', {
      name: 'deeper.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ ...config, depth: 3 })),
    });
    await page.click('#pytorch-load');
    await idle();
    const text = await page.locator('#pytorch-source .message').last().textContent();
    expect(text).toContain('model.safetensors does not match deeper.json');
    expect(text).toContain('missing keys');
    expect(text).toContain('layers.2.');
    expect(await newMessages()).toHaveLength(1);
    await expect(page.textContent('#model-info')).resolves.toContain('model.safetensors with model-config.json');
    await page.click('button[data-sample="mnist-1"]');
    await idle();
    expect((await hook<Array<{ className: string }>>('predictions'))[0]!.className).toBe('1');
  });

  it('creates a zoo super-resolution model and compares bicubic and model outputs with PSNR', async () => {
    await page.click('button[data-sample="coffee"]');
    await idle();
    await page.selectOption('#zoo-model', 'sisr-wavemix-144-4');
    await page.fill('#zoo-overrides', '{"depth": 1, "finalDim": 16, "ffChannel": 16}');
    await page.click('#zoo-create');
    await idle();
    expect(await newMessages()).toEqual([]);
    await expect(page.isVisible('#super-resolution')).resolves.toBe(true);
    const sr = await hook<{ bicubicPsnr: number; modelPsnr: number; width: number; height: number }>('superResolution');
    // Node: the same crop, 2x2 mean downscale, core bicubicUpsample2x and PSNR.
    const { width, rgba } = decodePng(join(SAMPLES, 'coffee.png'));
    expect([sr.width, sr.height]).toEqual([148, 100]); // multiples of 2 x divisor 2
    const hr = cropRgba(rgba, width, sr.width, sr.height);
    const lr = downscale2x(hr, sr.width, sr.height);
    const bicubic = tf.tidy(() => {
      const x = tf.slice(
        tf.tensor4d(Float32Array.from(lr), [1, sr.height / 2, sr.width / 2, 4]),
        [0, 0, 0, 0],
        [-1, -1, -1, 3],
      );
      const up = tf.round(tf.clipByValue(bicubicUpsample2x(x), 0, 255));
      return tf.concat([up, tf.fill([1, sr.height, sr.width, 1], 255)], 3).dataSync();
    });
    expect(sr.bicubicPsnr).toBeCloseTo(psnrRgba(hr, bicubic), 2);
    expect(sr.bicubicPsnr).toBeGreaterThan(20);
    expect(Number.isFinite(sr.modelPsnr)).toBe(true);
    await expect(page.textContent('#sr-bicubic-caption')).resolves.toContain(`${sr.bicubicPsnr.toFixed(2)} dB`);
  });

  it('creates a zoo segmentation model and overlays its label map with the Cityscapes palette', async () => {
    await page.selectOption('#zoo-model', 'cityscapes-wavemix-256-16');
    await page.fill('#zoo-overrides', '{"depth": 1, "finalDim": 16, "ffChannel": 16, "inputSize": [64, 128]}');
    await page.click('#zoo-create');
    await idle();
    expect(await newMessages()).toEqual([]);
    const seg = await hook<{ width: number; height: number; histogram: number[] }>('segmentation');
    expect([seg.width, seg.height]).toEqual([150, 100]); // labels at the image's size
    expect(seg.histogram.reduce((a, b) => a + b, 0)).toBe(150 * 100);
    const pixelsAt = (opacity: string) =>
      page.evaluate(async (o) => {
        const slider = document.querySelector('#seg-opacity') as HTMLInputElement;
        slider.value = o;
        slider.dispatchEvent(new Event('input'));
        const c = document.querySelector('#seg-canvas') as HTMLCanvasElement;
        return Array.from(c.getContext('2d')!.getImageData(0, 0, 1, 1).data);
      }, opacity);
    const image = decodePng(join(SAMPLES, 'coffee.png'));
    expect((await pixelsAt('0')).slice(0, 3)).toEqual(Array.from(image.rgba.slice(0, 3))); // opacity 0: the image
    const full = await pixelsAt('1');
    const palette = [
      [128, 64, 128],
      [244, 35, 232],
      [70, 70, 70],
      [102, 102, 156],
      [190, 153, 153],
      [153, 153, 153],
      [250, 170, 30],
      [220, 220, 0],
      [107, 142, 35],
      [152, 251, 152],
      [70, 130, 180],
      [220, 20, 60],
      [255, 0, 0],
      [0, 0, 142],
      [0, 0, 70],
      [0, 60, 100],
      [0, 80, 100],
      [0, 0, 230],
      [119, 11, 32],
      [0, 0, 0],
    ];
    expect(palette.map((c) => c.join())).toContain(full.slice(0, 3).join()); // opacity 1: a palette colour
    expect(await hook('features')).not.toBeNull();
  });
});

describe('training runs', () => {
  it('plots metrics.jsonl and the confusion matrix of report.json', async () => {
    await page.setInputFiles('#metrics-file', join(RUN, 'metrics.jsonl'));
    await page.setInputFiles('#report-file', join(RUN, 'report.json'));
    await idle();
    expect(await newMessages()).toEqual([]);
    const expected = parseMetricsJsonl(readFileSync(join(RUN, 'metrics.jsonl'), 'utf8'));
    expect(await hook('run')).toEqual({
      steps: expected.steps.length,
      epochs: expected.epochs.length,
      test: expected.test,
      skipped: [],
    });
    expect(await hook('report')).toEqual({ classes: 10 });
    await expect(page.textContent('#run-info')).resolves.toContain(
      `${expected.steps.length} step records, ${expected.epochs.length} epochs`,
    );
    screenshots.push(compareScreenshot('training-run', await page.locator('#training-section').screenshot()));
  });

  it('skips a torn line of metrics.jsonl, plots the rest, and names the line', async () => {
    await page.setInputFiles('#metrics-file', {
      name: 'bad.jsonl',
      mimeType: 'text/plain',
      buffer: Buffer.from('{"type":"step","step":1,"loss":2}\n{oops\n{"type":"step","step":2,"loss":1}\n'),
    });
    await idle();
    await expect(page.locator('#training-section .message').last().textContent()).resolves.toContain(
      'bad.jsonl: 1 bad line skipped (line 2; first: not JSON',
    );
    expect(await newMessages()).toHaveLength(1);
    expect(await hook('run')).toEqual({ steps: 2, epochs: 0, test: null, skipped: [2] });
    await expect(page.textContent('#run-info')).resolves.toContain('2 step records, 0 epochs');
  });
});

describe('backends', () => {
  it('reports an unsupported backend and keeps the active one', async () => {
    const s = await openPage(browser.context, 'about:blank');
    try {
      await s.page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }));
      await s.page.goto(`${server.origin}/?backend=wasm`);
      await s.page.waitForFunction(() => (globalThis as unknown as { __wavemix?: Hook }).__wavemix?.ready === true);
      await s.page.selectOption('#backend', 'webgpu');
      await s.page.evaluate(() => __wavemix['idle']!());
      await expect(s.page.locator('#backend-bar .message').last().textContent()).resolves.toContain(
        'The webgpu backend is not available here: this browser has no WebGPU (navigator.gpu is missing)',
      );
      expect(await s.page.evaluate(() => __wavemix['backend']!())).toBe('wasm');
      await expect(s.page.inputValue('#backend')).resolves.toBe('wasm');
      // Still usable.
      await s.page.click('button[data-sample="mnist-0"]');
      await s.page.evaluate(() => __wavemix['idle']!());
      expect(await s.page.evaluate(() => (__wavemix['levels']!() as unknown[]).length)).toBe(2);
      s.assertClean();
    } finally {
      await s.close();
    }
  });

  it('times the transform and the model on every backend (headless Chromium, SwiftShader)', async () => {
    await page.click('#bundled-model'); // the same trained model, served with the app
    await idle();
    await expect(page.textContent('#model-info')).resolves.toContain('bundled tiny MNIST classifier (trained)');
    await page.click('button[data-sample="chelsea"]');
    await idle();
    await page.selectOption('#levels', '4');
    await idle();
    await page.click('#benchmark');
    await idle();
    const timings =
      await hook<Record<string, { transformMs?: number; modelMs?: number; unavailable?: string; kernels?: string[] }>>(
        'timings',
      );
    for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) {
      expect(timings[backend]?.unavailable).toBeUndefined();
      expect(timings[backend]!.transformMs).toBeGreaterThan(0);
      expect(timings[backend]!.modelMs).toBeGreaterThan(0);
    }
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const record = {
      chromium: browser.version,
      transform: 'waveletPyramid, 4 levels, [1, 160, 240, 3] (chelsea padded)',
      model: 'tiny MNIST classifier (11.7 k parameters), [1, 28, 28, 1] input',
      timings,
    };
    writeFileSync(join(OUTPUT_DIR, '..', 'timings.json'), `${JSON.stringify(record, null, 2)}\n`);
    console.log(`per-backend timings (median of 5, ms):\n${JSON.stringify(record, null, 2)}`);
    expect(await hook('backend')).toBe('cpu'); // back where it started
  });

  it('made no request beyond its own origin and threw no uncaught error', async () => {
    session.assertClean();
    const foreign = session.requests.filter(
      (url) => !url.startsWith(server.origin) && !url.startsWith('data:') && !url.startsWith('blob:'),
    );
    expect(foreign).toEqual([]);
    // The wasm binaries came from the app itself.
    expect(session.requests.some((url) => url.startsWith(server.origin) && url.endsWith('.wasm'))).toBe(true);
  });
});

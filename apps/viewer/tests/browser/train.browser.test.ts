/**
 * The Train panel (issue 14) in headless Chromium: a few training steps of the same model (seeded
 * weights, seeded batches, dropout 0) on WebGL and on WebGPU give the losses of the cpu backend
 * within 1e-4; Stop and Resume; the page answers while it trains; evaluation; the downloads, one
 * file per click (model.tfjs.zip, model.safetensors), which load in Node (tfjs-layers, the PyTorch
 * bridge) and compute what the page's model computes; the hand-over to the Model panel; and a
 * screenshot of the panel.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@wavemix/kernels-cpu';
import { launchChromium, startLocalServer, type LaunchedChromium, type LocalServer } from '@wavemix/browser-harness';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildModel, getWaveMixMetadata, load, loadPyTorchWeights, type WaveMixPredictor } from '@wavemix/models';
import { fileSystem, registerFileSystemRouter } from '@wavemix/models/node';
import AdmZip from 'adm-zip';
import type { Download, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { APP, decodePng, maxAbsDifference, SAMPLES, type Hook, type Prediction } from './reference';
import { openViewer } from './page';
import { compareScreenshot } from './screenshots';

declare const __wavemix: Hook;
type StepRecord = { step: number; epoch: number; loss: number; accuracy: number; ms: number };

const STEPS = 3;
const DOWNLOADS = join(APP, 'test-results', 'train-downloads');

let browser: LaunchedChromium;
let server: LocalServer;

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerFileSystemRouter();
  server = await startLocalServer({ root: join(APP, 'dist') });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const open = (backend: string) => openViewer(browser.context, server.origin, backend);

async function setRun(page: Page, steps: number): Promise<void> {
  await page.selectOption('#train-config', 'lite-tiny');
  await page.fill('#train-overrides', '{"dropout": 0}');
  await page.fill('#train-steps', String(steps));
  await page.fill('#train-batch', '16');
  await page.fill('#train-seed', '1');
}

/** `STEPS` training steps on `backend` from the seeded weights and batches. */
async function trainOn(backend: string, screenshot?: string): Promise<StepRecord[]> {
  const { session, page, hook, idle } = await open(backend);
  await page.setViewportSize({ width: 1280, height: 900 });
  try {
    expect(await hook('backend')).toBe(backend);
    await setRun(page, STEPS);
    await page.click('#train-start');
    await idle();
    expect(await hook<string[]>('messages')).toEqual([]);
    await expect(page.textContent('#train-info')).resolves.toContain(`on ${backend}`);
    session.assertClean();
    if (screenshot)
      compareScreenshot(screenshot, await page.locator('#train-section').screenshot({ animations: 'disabled' }));
    return await hook<StepRecord[]>('trainHistory');
  } finally {
    await page.close();
  }
}

describe('the Train panel', () => {
  let cpu: StepRecord[];

  it('trains on cpu: the loss of the seeded first batch starts near ln 10', async () => {
    cpu = await trainOn('cpu', 'train-panel');
    expect(cpu.map((r) => r.step)).toEqual([1, 2, 3]);
    // Ten classes, PyTorch-style random init: the first loss is close to ln 10 = 2.303.
    expect(Math.abs(cpu[0]!.loss - Math.log(10))).toBeLessThan(0.3);
  });

  it.each(['webgl', 'webgpu'])('reaches the same losses on %s as on cpu within 1e-4', async (backend) => {
    const records = await trainOn(backend);
    const differences = records.map((r, i) => Math.abs(r.loss - cpu[i]!.loss));
    console.log(
      `${backend}: losses ${records.map((r) => r.loss.toFixed(6)).join(', ')}; max |Δ| vs cpu ${Math.max(...differences).toExponential(2)}`,
    );
    expect(records.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(Math.max(...differences)).toBeLessThan(1e-4);
    expect(records.map((r) => r.accuracy)).toEqual(cpu.map((r) => r.accuracy));
  });

  it('says that the wasm backend cannot train here', async () => {
    const { session, page, hook, idle } = await open('wasm');
    try {
      await setRun(page, 2);
      await page.click('#train-start');
      await idle();
      const messages = await hook<string[]>('messages');
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/wasm backend cannot train in the page.*switch to webgpu, webgl or cpu/);
      expect(await hook<unknown[]>('trainHistory')).toEqual([]);
      session.assertClean();
    } finally {
      await page.close();
    }
  });

  it('stops, resumes, stays responsive and evaluates (cpu)', async () => {
    const { session, page, hook, idle } = await open('cpu');
    try {
      await setRun(page, 400);
      await page.click('#train-start');
      await page
        .waitForFunction(() => (__wavemix['trainHistory']!() as unknown[]).length >= 3, undefined, { timeout: 60_000 })
        .catch(async (error) => {
          throw new Error(
            `${(error as Error).message}; page messages: ${JSON.stringify(await hook('messages'))}; busy: ${await page.textContent('#busy-label')}`,
          );
        });
      // The page answers between steps: within about one step (on cpu a step blocks the main thread while it runs).
      const started = Date.now();
      await page.evaluate(() => document.title);
      const latency = Date.now() - started;
      const longestStep = Math.max(...(await hook<StepRecord[]>('trainHistory')).map((r) => r.ms));
      console.log(`cpu: answered in ${latency} ms while training; longest step ${longestStep.toFixed(0)} ms`);
      expect(latency).toBeLessThan(2 * longestStep + 500);
      await page.click('#train-stop');
      await idle();
      const stoppedAt = (await hook<StepRecord[]>('trainHistory')).length;
      expect(stoppedAt).toBeLessThan(400);
      expect(await hook<unknown[]>('trainEvaluations')).toEqual([]);
      await page.fill('#train-steps', '2');
      await page.click('#train-resume');
      await idle();
      const history = await hook<StepRecord[]>('trainHistory');
      expect(history.map((r) => r.step)).toEqual(Array.from({ length: stoppedAt + 2 }, (_, i) => i + 1));
      const [evaluation] = await hook<Array<{ step: number; count: number; accuracy: number }>>('trainEvaluations');
      expect(evaluation).toMatchObject({ step: stoppedAt + 2, count: 500 });

      session.assertClean();
    } finally {
      await page.close();
    }
  }, 300_000);

  it('downloads the tfjs folder and the safetensors, which reload in Node alike, and hands the model to the Model panel (cpu)', async () => {
    const { session, page, hook, idle } = await open('cpu');
    try {
      await setRun(page, STEPS);
      await page.click('#train-start');
      await idle();
      expect(await hook<StepRecord[]>('trainHistory')).toHaveLength(STEPS);

      // Every download the page starts, to check that each click gives exactly one file.
      const started: string[] = [];
      page.on('download', (download) => started.push(download.suggestedFilename()));
      rmSync(DOWNLOADS, { recursive: true, force: true });
      mkdirSync(DOWNLOADS, { recursive: true });
      const save = async (button: string): Promise<string> => {
        const [download] = await Promise.all([
          page.waitForEvent('download', { timeout: 120_000 }) as Promise<Download>,
          page.click(button),
        ]);
        const path = join(DOWNLOADS, download.suggestedFilename());
        await download.saveAs(path);
        await idle();
        return path;
      };
      const archivePath = await save('#train-download-tfjs');
      const safetensorsPath = await save('#train-download-pytorch');
      expect(started).toEqual(['model.tfjs.zip', 'model.safetensors']);

      // The zip (read by adm-zip, not the fflate that wrote it) is tfjs's model folder.
      const archive = new AdmZip(archivePath);
      expect(
        archive
          .getEntries()
          .map((e) => e.entryName)
          .sort(),
      ).toEqual(['model.json', 'model.weights.bin']);
      const folder = join(DOWNLOADS, 'model.tfjs');
      archive.extractAllTo(folder, true);
      const layers = await tfl.loadLayersModel(`file://${join(folder, 'model.json')}`);
      const predictor = await load(fileSystem(join(folder, 'model.json')));
      const metadata = getWaveMixMetadata(layers)!;
      expect(metadata.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(metadata.preprocessing.mean[0]).toBeGreaterThan(0.1);
      // The safetensors fill a network built from the same config.
      const fromPyTorch = buildModel(metadata.config);
      const report = loadPyTorchWeights(fromPyTorch, new Uint8Array(readFileSync(safetensorsPath)));
      expect(report).toMatchObject({ missing: [], unexpected: [], mismatched: [] });

      const x = tf.randomUniform([2, 28, 28, 1], -1, 1, 'float32', 3);
      const values = Array.from(await x.data());
      const inPage = (await hook<number[]>('trainPredict', values, x.shape))!;
      expect(inPage).toHaveLength(20);
      const outputs = await Promise.all(
        [layers, predictor.model, fromPyTorch].map(async (model) => {
          const y = model.predict(x) as tf.Tensor;
          const data = await y.data();
          y.dispose();
          return data;
        }),
      );
      const differences = outputs.map((output) => maxAbsDifference(output, inPage));
      console.log(
        `downloads vs the page's model: max |Δ| tfjs ${differences[0]!.toExponential(2)}, safetensors ${differences[2]!.toExponential(2)}`,
      );
      for (const difference of differences) expect(difference).toBeLessThan(1e-5);
      x.dispose();
      layers.dispose();
      fromPyTorch.dispose();

      // The Model panel takes the trained model and classifies the digit as Node does with the download.
      await page.click('button[data-sample="mnist-7"]');
      await idle();
      await page.click('#train-use');
      await idle();
      expect(await hook('modelSource')).toBe(`trained in the page (step ${STEPS})`);
      await expect(page.textContent('#model-info')).resolves.toContain('classification');
      const predictions = await hook<Prediction[]>('predictions');
      const reference = await classifyPng(predictor, join(SAMPLES, 'mnist-7.png'));
      predictor.dispose();
      expect(predictions).toHaveLength(5);
      expect(predictions.map((p) => p.className)).toEqual(reference.map((p) => p.className));
      predictions.forEach((p, i) => expect(Math.abs(p.probability - reference[i]!.probability)).toBeLessThan(1e-4));
      expect(await hook<string[]>('messages')).toEqual([]);
      session.assertClean();
    } finally {
      await page.close();
    }
  }, 480_000);

  it('trains on a folder of images in class subfolders, holding every 5th image of a class out', async () => {
    // 2 classes × 10 images: 16×16 RGB squares, bright (class "light") or dark ("dark"), plus a photo that stays out (not in a class folder).
    const root = join(APP, 'test-results', 'train-folder', 'shades');
    rmSync(join(APP, 'test-results', 'train-folder'), { recursive: true, force: true });
    for (const [name, base] of [
      ['light', 200],
      ['dark', 40],
    ] as const) {
      mkdirSync(join(root, name), { recursive: true });
      for (let i = 0; i < 10; i++) {
        const png = new PNG({ width: 16, height: 16 });
        for (let p = 0; p < 256; p++) png.data.set([base + i, base + ((i * 3) % 10), base, 255], 4 * p);
        writeFileSync(join(root, name, `${i}.png`), PNG.sync.write(png));
      }
    }
    writeFileSync(join(root, 'README.txt'), 'not an image');
    const { session, page, hook, idle } = await open('cpu');
    try {
      await setRun(page, 2);
      await page.fill('#train-overrides', '{"dropout": 0, "numClasses": 2, "inChannels": 3}');
      await page.setInputFiles('#train-folder', root);
      await expect(page.inputValue('#train-data')).resolves.toBe('folder');
      await page.click('#train-start');
      await idle();
      const info = await page.textContent('#train-info');
      expect(info).toContain('shades (20 images): 16 training / 4 test images');
      expect(await hook<StepRecord[]>('trainHistory')).toHaveLength(2);
      expect(await hook<Array<{ count: number }>>('trainEvaluations')).toMatchObject([{ count: 4 }]);
      expect((await hook<string[]>('messages')).filter((m) => !/files chosen/.test(m))).toEqual([]);
      session.assertClean();
    } finally {
      await page.close();
    }
  });
});

/** Top 5 of `predictor` for a PNG, through the inference API the Model panel uses. */
async function classifyPng(predictor: WaveMixPredictor, path: string): Promise<Prediction[]> {
  const { width, height, rgba } = decodePng(path);
  const image = tf.tidy(() =>
    tf.slice(tf.tensor3d(Float32Array.from(rgba), [height, width, 4]), [0, 0, 0], [-1, -1, 3]),
  );
  const result = await predictor.classify(image, 5);
  image.dispose();
  return result;
}

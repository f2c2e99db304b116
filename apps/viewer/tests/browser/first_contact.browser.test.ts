/**
 * What a first-time user tripped over (issue 18, "Viewer findings"), each as it was found: wrong
 * results after "Time every backend" with a model on WebGPU, the trainer's own PyTorch export,
 * a model run that was also a benchmark, feedback (busy bar, cancel, stale outputs, errors next
 * to their control), chart readability, and a 390 px wide screen with keyboard-only use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  launchChromium,
  openPage,
  startLocalServer,
  type LaunchedChromium,
  type LocalServer,
} from '@wavemix/browser-harness';
import { APP, nodeClassify, RUN, SAMPLES, type Hook, type Prediction } from './reference';
import { openViewer, viewerHook } from './page';

declare const __wavemix: Hook;
type Timing = { transformMs?: number; modelMs?: number; unavailable?: string; error?: string };

let browser: LaunchedChromium;
let server: LocalServer;

beforeAll(async () => {
  // VIEWER_DIST: run these checks against another build of the page (e.g. an older version).
  server = await startLocalServer({ root: process.env['VIEWER_DIST'] ?? join(APP, 'dist') });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh page on `backend`, with helpers bound to it. */
async function open(backend: string) {
  const opened = await openViewer(browser.context, server.origin, backend);
  const { page, idle } = opened;
  const sample = async (id: string) => {
    await page.click(`button[data-sample="${id}"]`);
    await idle();
  };
  return { ...opened, sample };
}

function expectSamePredictions(actual: Prediction[], expected: Prediction[]): void {
  expect(actual.map((p) => p.className)).toEqual(expected.map((p) => p.className));
  actual.forEach((p, i) => expect(Math.abs(p.probability - expected[i]!.probability)).toBeLessThan(1e-4));
}

describe('wrong results without a warning', () => {
  it('after "Time every backend" with the model loaded on webgpu, every backend still predicts right (or says it cannot)', async () => {
    const { session, page, hook, idle, sample } = await open('webgpu');
    try {
      const reference = await nodeClassify(7);
      await page.click('#bundled-model');
      await idle();
      await sample('mnist-7');
      expectSamePredictions(await hook<Prediction[]>('predictions'), reference);
      await page.click('#benchmark');
      await idle();
      const timings = await hook<Record<string, Timing>>('timings');
      console.log(
        `after "Time every backend" from webgpu: ${JSON.stringify(timings)}; messages ${JSON.stringify(await hook('messages'))}`,
      );
      // Each row holds its own timings or its own error, never an empty row.
      for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) {
        const row = timings[backend]!;
        // (A 32×32 transform can take under the browser's 0.1 ms timer resolution: >= 0.)
        expect({
          backend,
          timed: row.transformMs! >= 0 && row.modelMs! > 0,
          failed: typeof row.error === 'string',
        }).toEqual({
          backend,
          timed: row.error === undefined,
          failed: row.error !== undefined,
        });
      }
      for (const backend of ['wasm', 'cpu']) expect(timings[backend]!.error).toBeUndefined();
      const rowErrors = await page.$$eval('#timings tbody tr', (rows) =>
        rows.map((r) => [(r as HTMLElement).dataset['backend'], r.querySelector('.row-error')?.textContent ?? '']),
      );
      for (const [backend, text] of rowErrors)
        expect(text).toBe(timings[backend!]!.error ? `failed: ${timings[backend!]!.error}` : '');
      // A backend that went wrong is named in the banner; the page is back on one that works.
      const lost = Object.entries(timings)
        .filter(([, t]) => t.error?.includes('wrong results'))
        .map(([b]) => b);
      if (lost.length)
        await expect(page.textContent('#banner')).resolves.toContain(`The ${lost[0]} backend gave wrong results`);
      // Wherever it ended, and then on wasm: the same probabilities as Node, not 10 % each.
      expectSamePredictions(await hook<Prediction[]>('predictions'), reference);
      await page.selectOption('#backend', 'wasm');
      await idle();
      expect(await hook('backend')).toBe('wasm');
      expectSamePredictions(await hook<Prediction[]>('predictions'), reference);
      // The subbands are not black: the transform still inverts.
      expect(await hook<number>('perfectReconstructionError')).toBeLessThan(1e-5);
    } finally {
      await session.close();
    }
  });

  it('notices a backend that silently returns zeros: banner, back to a working backend, the error in its own timing row', async () => {
    // What a lost GPU context does: every read-back is zeros, no exception. Simulated on WebGL.
    const session = await openPage(browser.context, 'about:blank');
    const page = session.page;
    try {
      await page.addInitScript(() => {
        for (const name of ['readPixels', 'getBufferSubData'] as const) {
          const original = WebGL2RenderingContext.prototype[name] as (...args: unknown[]) => unknown;
          (WebGL2RenderingContext.prototype as unknown as Record<string, unknown>)[name] = function (
            this: WebGL2RenderingContext,
            ...args: unknown[]
          ) {
            const result = original.apply(this, args);
            for (const arg of args)
              if (ArrayBuffer.isView(arg)) new Uint8Array(arg.buffer, arg.byteOffset, arg.byteLength).fill(0);
            return result;
          };
        }
      });
      await page.goto(`${server.origin}/?backend=cpu`);
      const { hook, idle } = await viewerHook(page);
      const reference = await nodeClassify(7);
      await page.click('button[data-sample="mnist-7"]');
      await idle();
      await page.click('#bundled-model');
      await idle();
      await page.selectOption('#backend', 'webgl');
      await idle();
      await expect(page.isVisible('#banner')).resolves.toBe(true);
      await expect(page.textContent('#banner')).resolves.toContain(
        'The webgl backend gave wrong results: the wavelet transform does not invert any more',
      );
      await expect(page.textContent('#banner')).resolves.toContain(
        'The page is back on cpu, with the model reloaded from its source; reload the page to use webgl again.',
      );
      expect(await hook('backend')).toBe('cpu');
      expectSamePredictions(await hook<Prediction[]>('predictions'), reference);
      expect(await hook<number>('perfectReconstructionError')).toBeLessThan(1e-5);
      // Refused from now on; "Time every backend" puts that in webgl's row and times the others.
      await page.click('#benchmark');
      await idle();
      const timings = await hook<Record<string, Timing>>('timings');
      expect(timings['webgl']!.error).toMatch(
        /^The webgl backend is not available here: it failed earlier \(the wavelet transform does not invert/,
      );
      for (const backend of ['wasm', 'cpu'])
        expect({ backend, error: timings[backend]!.error, model: timings[backend]!.modelMs! > 0 }).toEqual({
          backend,
          error: undefined,
          model: true,
        });
      await expect(page.textContent('#timings tr[data-backend="webgl"] .row-error')).resolves.toBe(
        `failed: ${timings['webgl']!.error}`,
      );
      expect(await hook('backend')).toBe('cpu');
      expectSamePredictions(await hook<Prediction[]>('predictions'), reference);
    } finally {
      await session.close();
    }
  });

  it("uses the trainer's own model.safetensors + model-config.json as written, and warns about a config without preprocessing", async () => {
    const { session, page, hook, idle, sample } = await open('cpu');
    try {
      await sample('mnist-7');
      await page.setInputFiles('#pytorch-weights', join(RUN, 'model.safetensors'));
      await page.setInputFiles('#pytorch-config', join(RUN, 'model-config.json'));
      await page.click('#pytorch-load');
      await idle();
      expect(await hook('messages')).toEqual([]);
      expectSamePredictions(await hook<Prediction[]>('predictions'), await nodeClassify(7));
      const { preprocessing, ...withoutPreprocessing } = JSON.parse(
        readFileSync(join(RUN, 'model-config.json'), 'utf8'),
      );
      expect(preprocessing).toEqual({ colorSpace: 'grayscale', mean: [0.1307], std: [0.3081] }); // the trainer wrote it
      await page.setInputFiles('#pytorch-config', {
        name: 'old-config.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify(withoutPreprocessing)),
      });
      await page.click('#pytorch-load');
      await idle();
      await expect(page.locator('#pytorch-source .message.warning').textContent()).resolves.toContain(
        'old-config.json has no "preprocessing": the model is given pixels scaled to [0, 1] without the normalisation it was trained with',
      );
    } finally {
      await session.close();
    }
  });
});

describe('a model run is a run, timing is its own action', () => {
  it('shows the result after the first pass without timing it; "Time this backend" times it', async () => {
    const { session, page, hook, idle, sample } = await open('cpu');
    try {
      await sample('mnist-2');
      await page.click('#bundled-model');
      await idle();
      expect((await hook<Prediction[]>('predictions'))[0]!.className).toBe('2');
      expect(
        Object.values(await hook<Record<string, Timing>>('timings')).some(
          (t) => t.modelMs !== undefined || t.transformMs !== undefined,
        ),
      ).toBe(false);
      await page.click('#time-backend');
      await idle();
      const cpu = (await hook<Record<string, Timing>>('timings'))['cpu']!;
      // (The 32×32 transform can take under the browser's 0.1 ms timer resolution.)
      expect(cpu.transformMs).toBeGreaterThanOrEqual(0);
      expect(cpu.modelMs).toBeGreaterThan(0);
      // A new model: the timing of the previous one is gone, and so are its outputs.
      await page.selectOption('#zoo-model', 'sisr-wavemix-144-4');
      await page.fill('#zoo-overrides', '');
      await sample('astronaut');
      await page.click('#zoo-create');
      await idle();
      expect((await hook<Record<string, Timing>>('timings'))['cpu']!.modelMs).toBeUndefined();
      await expect(page.isVisible('#classification')).resolves.toBe(false);
      expect(await hook('predictions')).toBeNull();
      // The full-size SR model (1.95 M parameters) on the shrunk photo is a large run: it asks first and runs nothing.
      const fit = await hook<{ resizedWidth: number; resizedHeight: number }>('fit');
      const lr = `${Math.floor(fit.resizedWidth / 2)}×${Math.floor(fit.resizedHeight / 2)}`;
      await expect(page.textContent('#large-run')).resolves.toMatch(
        new RegExp(`^\\s*This is a large run: \\d\\.\\d\\d M parameters on a ${lr} input .* may take minutes on cpu`),
      );
      expect(await hook('superResolution')).toBeNull();
      await expect(page.isVisible('#super-resolution')).resolves.toBe(false);
      // A small one goes straight through, and the warning goes away.
      await page.fill('#zoo-overrides', '{"depth": 1, "finalDim": 16, "ffChannel": 16}');
      await page.click('#zoo-create');
      await idle();
      await expect(page.isVisible('#large-run')).resolves.toBe(false);
      expect(await hook('superResolution')).not.toBeNull();
    } finally {
      await session.close();
    }
  });
});

describe('feedback', () => {
  it('keeps the busy bar on screen with progress and a working Cancel', async () => {
    const { session, page, hook, idle, sample } = await open('cpu');
    try {
      await sample('chelsea');
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await page.click('#benchmark');
      await page.waitForFunction(() =>
        /Timing every backend: 1\/4/.test(document.querySelector('#busy-label')!.textContent ?? ''),
      );
      // Fixed on screen: inside the viewport although the page is scrolled to the bottom.
      const box = await page.locator('#busy').boundingBox();
      const viewport = page.viewportSize()!;
      expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height);
      await page.click('#busy-cancel');
      await idle();
      await expect(page.isVisible('#busy')).resolves.toBe(false);
      await expect(page.locator('#timing-section .message.info').last().textContent()).resolves.toContain(
        'Timing every backend: cancelled',
      );
      // Still usable afterwards.
      await sample('mnist-0');
      expect((await hook<unknown[]>('levels')).length).toBe(2);
    } finally {
      await session.close();
    }
  });

  it('shows errors next to their control, short, with the details expandable', async () => {
    const { session, page, hook, idle, sample } = await open('cpu');
    try {
      await sample('mnist-2');
      await page.fill('#zoo-overrides', '{depth: 2');
      await page.click('#zoo-create');
      await idle();
      await expect(page.locator('#zoo-source .message').textContent()).resolves.toContain(
        'Creating the model failed: the overrides is not valid JSON',
      );
      const config = JSON.parse(readFileSync(join(RUN, 'model-config.json'), 'utf8'));
      await page.setInputFiles('#pytorch-weights', join(RUN, 'model.safetensors'));
      await page.setInputFiles('#pytorch-config', {
        name: 'deeper.json',
        mimeType: 'application/json',
        buffer: Buffer.from(JSON.stringify({ ...config, depth: 6 })),
      });
      await page.click('#pytorch-load');
      await idle();
      const message = page.locator('#pytorch-source .message');
      const summary = (await message.locator('.text').textContent())!;
      expect(summary).toMatch(
        /^Loading PyTorch weights failed: model\.safetensors does not match deeper\.json: the weights do not fit this model configuration: \d+ missing keys \(layers\.2\./,
      );
      expect(summary.length).toBeLessThan(400);
      // Every missing key is still there, one click away.
      const details = (await message.locator('details pre').textContent())!;
      for (let block = 2; block < 6; block++) expect(details).toContain(`layers.${block}.`);
      expect(details.length).toBeGreaterThan(summary.length);
      expect((await hook<Array<{ anchor: string }>>('messageLog')).map((m) => m.anchor)).toEqual([
        'zoo-source',
        'pytorch-source',
      ]);
    } finally {
      await session.close();
    }
  });
});

describe('charts', () => {
  it('plots ECE on its own axis and explains the confusion matrix cells on a square-root scale', async () => {
    const { session, page, hook, idle } = await open('cpu');
    try {
      await page.setInputFiles('#metrics-file', join(RUN, 'metrics.jsonl'));
      await page.setInputFiles('#report-file', join(RUN, 'report.json'));
      await idle();
      const axes = await page.evaluate(() => __wavemix['accuracyAxes']!() as Array<[string, string]>);
      expect(Object.fromEntries(axes)).toMatchObject({
        trainAccuracy: 'y',
        valAccuracy: 'y',
        valExpectedCalibrationError: 'calibration',
      });
      const report = JSON.parse(readFileSync(join(RUN, 'report.json'), 'utf8')) as { confusionMatrix: number[][] };
      // The largest off-diagonal cell.
      let worst: [number, number] = [0, 1];
      report.confusionMatrix.forEach((row, i) =>
        row.forEach((v, j) => {
          if (i !== j && v > report.confusionMatrix[worst[0]]![worst[1]]!) worst = [i, j];
        }),
      );
      const [i, j] = worst;
      const count = report.confusionMatrix[i]![j]!;
      const share = count / report.confusionMatrix[i]!.reduce((a, b) => a + b, 0);
      const cell = await hook<{ tooltip: string[]; color: string }>('confusionCell', i, j);
      expect(cell.tooltip).toEqual([
        `true: ${i} → predicted: ${j}`,
        `${count} image${count === 1 ? '' : 's'} (${(100 * share).toFixed(1)} % of true ${i})`,
      ]);
      expect(cell.color).toBe(`rgba(32, 84, 160, ${0.04 + 0.96 * Math.sqrt(share)})`);
    } finally {
      await session.close();
    }
  });
});

describe('small screens, labels and the keyboard', () => {
  it('fits 390 px without horizontal scrolling, labels every control and canvas, and works from the keyboard', async () => {
    const { session, page, hook, idle, sample } = await open('cpu');
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await sample('chelsea');
      await page.selectOption('#levels', '4');
      await idle();
      await page.click('#bundled-model');
      await idle();
      await page.setInputFiles('#metrics-file', join(RUN, 'metrics.jsonl'));
      await page.setInputFiles('#report-file', join(RUN, 'report.json'));
      await idle();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      // Every select and input has a label; every canvas is an image with a name.
      const unlabelled = await page.$$eval('select, input', (els) =>
        els.filter((e) => !((e as HTMLInputElement).labels?.length || e.getAttribute('aria-label'))).map((e) => e.id),
      );
      expect(unlabelled).toEqual([]);
      const unnamed = await page.$$eval('canvas', (els) =>
        els
          .filter((c) => !c.getAttribute('aria-label') || c.getAttribute('role') !== 'img')
          .map((c) => c.id || c.parentElement?.className),
      );
      expect(unnamed).toEqual([]);
      // Bands are buttons the keyboard reaches and presses.
      const band = page.locator('#bands figure[data-level="1"][data-band="HH"]');
      await band.focus();
      await page.keyboard.press('Enter');
      await idle();
      expect(await hook('reconstruction')).toMatchObject({ level: 1, band: 'HH' });
      await expect(band.getAttribute('aria-pressed')).resolves.toBe('true');
      await expect(page.evaluate(() => (document.activeElement as HTMLElement).dataset['band'])).resolves.toBe('HH');
      await page.keyboard.press(' ');
      await idle();
      expect(await hook('reconstruction')).toBeNull();
      // Tab order reaches the bands.
      await page.focus('#channel');
      let reached = false;
      for (let i = 0; i < 4 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => document.activeElement?.classList.contains('band') ?? false);
      }
      expect(reached).toBe(true);
      // Enter on the drop zone opens the file picker.
      // (Listening first, and a round trip before the key: Playwright turns file-chooser interception on asynchronously.)
      const chooserOpened = page.waitForEvent('filechooser', { timeout: 30_000 });
      await page.focus('#drop-zone');
      await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
      await page.keyboard.press('Enter');
      const chooser = await chooserOpened;
      await chooser.setFiles(join(SAMPLES, 'mnist-1.png'));
      await idle();
      await expect(page.textContent('#fit-info')).resolves.toContain('mnist-1.png, 28×28');
    } finally {
      await session.close();
    }
  });
});

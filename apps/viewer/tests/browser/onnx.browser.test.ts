/**
 * The `.onnx` model source (issue 13): the tiny MNIST classifier, exported to ONNX in Node with
 * @wavemix/onnx's `exportOnnx`, opened in the page through its file picker and run by
 * onnxruntime-web on wasm and on WebGPU (SwiftShader). Its top 5 must equal the same model's tfjs
 * predictions in Node within 1e-4, and onnxruntime's files must come from the app's own origin.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  launchChromium,
  startLocalServer,
  type LaunchedChromium,
  type LocalServer,
  type PageSession,
} from '@wavemix/browser-harness';
import { load } from '@wavemix/models';
import { fileSystem } from '@wavemix/models/node';
import { exportOnnx } from '@wavemix/onnx';
import { APP, nodeClassify, RUN, type Prediction } from './reference';
import { openViewer } from './page';

const ONNX_DIR = join(APP, 'test-results', 'onnx');
const ONNX_FILE = join(ONNX_DIR, 'mnist-tiny.onnx');
const DIGITS = [7, 2, 1, 0];

let browser: LaunchedChromium;
let server: LocalServer;
const references = new Map<number, Prediction[]>();
let parameterCount = 0;

beforeAll(async () => {
  const predictor = await load(fileSystem(join(RUN, 'model', 'model.json')));
  const bytes = await exportOnnx(predictor.model);
  parameterCount = predictor.model.countParams();
  predictor.dispose();
  mkdirSync(ONNX_DIR, { recursive: true });
  writeFileSync(ONNX_FILE, bytes);
  for (const digit of DIGITS) references.set(digit, await nodeClassify(digit));
  server = await startLocalServer({ root: join(APP, 'dist') });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const open = (backend: string) => openViewer(browser.context, server.origin, backend);

function expectOriginOnly(session: PageSession): void {
  session.assertClean();
  const foreign = session.requests.filter(
    (url) => !url.startsWith(server.origin) && !url.startsWith('data:') && !url.startsWith('blob:'),
  );
  expect(foreign).toEqual([]);
  // onnxruntime-web's binary came from the app itself.
  expect(
    session.requests.some(
      (url) => url.startsWith(server.origin) && /ort-wasm-simd-threaded\.jsep-[\w-]+\.wasm$/.test(url),
    ),
  ).toBe(true);
}

describe('an .onnx model in onnxruntime-web', () => {
  it.each(['wasm', 'webgpu'])('predicts the MNIST digits like the tfjs model within 1e-4 on %s', async (provider) => {
    const { session, page, hook, idle } = await open('cpu');
    try {
      await page.selectOption('#onnx-provider', provider);
      await page.setInputFiles('#onnx-file', ONNX_FILE);
      await idle();
      expect(await hook<string[]>('messages')).toEqual([]);
      const info = await page.textContent('#model-info');
      expect(info).toContain('mnist-tiny.onnx: classification');
      expect(info).toContain(`${parameterCount.toLocaleString('en')} parameters`);
      await expect(page.getAttribute('#model-info', 'data-engine')).resolves.toBe(`onnxruntime-web, ${provider}`);
      const worstByDigit: Record<number, number> = {};
      for (const digit of DIGITS) {
        await page.click(`button[data-sample="mnist-${digit}"]`);
        await idle();
        const actual = await hook<Prediction[]>('predictions');
        const expected = references.get(digit)!;
        expect(actual.map((p) => p.className)).toEqual(expected.map((p) => p.className));
        const worst = Math.max(...actual.map((p, i) => Math.abs(p.probability - expected[i]!.probability)));
        expect({ provider, digit, worst, ok: worst < 1e-4 }).toMatchObject({ ok: true });
        worstByDigit[digit] = worst;
      }
      console.log(`onnxruntime-web ${provider}: max |p - p_tfjs| per digit ${JSON.stringify(worstByDigit)}`);
      // No tfjs layers behind an onnxruntime model: no feature maps, and nothing left on the tfjs side.
      await expect(page.isHidden('#features')).resolves.toBe(true);
      const before = await hook<number>('numTensors');
      await page.click('button[data-sample="mnist-7"]');
      await idle();
      expect(await hook<number>('numTensors')).toBe(before);
      expectOriginOnly(session);
    } finally {
      await page.close();
    }
  });

  it('opens a dropped .onnx file, keeps the ONNX model across a tfjs backend switch, and names a file that is not ONNX next to its control', async () => {
    const { session, page, hook, idle } = await open('cpu');
    try {
      await page.selectOption('#onnx-provider', 'wasm');
      // Dropped on its box, like a chosen file.
      const transfer = await page.evaluateHandle((b64) => {
        const dt = new DataTransfer();
        dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'dropped.onnx'));
        return dt;
      }, readFileSync(ONNX_FILE).toString('base64'));
      await page.dispatchEvent('#onnx-source', 'drop', { dataTransfer: transfer });
      await idle();
      expect(await hook('modelSource')).toBe('dropped.onnx');
      await page.setInputFiles('#onnx-file', ONNX_FILE);
      await idle();
      await page.click('button[data-sample="mnist-2"]');
      await idle();
      await page.selectOption('#backend', 'wasm');
      await idle();
      expect(await hook('backend')).toBe('wasm');
      expect(await hook('modelSource')).toBe('mnist-tiny.onnx');
      const expected = references.get(2)!;
      const actual = await hook<Prediction[]>('predictions');
      actual.forEach((p, i) => expect(Math.abs(p.probability - expected[i]!.probability)).toBeLessThan(1e-4));
      await page.setInputFiles('#onnx-file', {
        name: 'broken.onnx',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from('not a protobuf at all'),
      });
      await idle();
      const shown = await page.locator('#onnx-source .message').allTextContents();
      expect(shown.join(' ')).toMatch(/broken\.onnx/);
      expect(await hook('modelSource')).toBe('mnist-tiny.onnx'); // the loaded model stays
      session.assertClean();
    } finally {
      await page.close();
    }
  });
});

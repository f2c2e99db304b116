/**
 * The viewer page: plain TypeScript over the DOM of index.html. Every action runs through one
 * queue (`task`) so a backend switch never lands in the middle of a computation, and every error
 * becomes a visible message while the page stays usable.
 */
import './style.css';
import * as tf from '@tensorflow/tfjs-core';
import { model as functionalModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { bicubicUpsample2x, waveletPyramid } from '@wavemix/core';
import {
  createModel,
  getWaveMixMetadata,
  inputDivisor,
  listModels,
  load,
  loadPyTorchWeights,
  WaveMixPredictor,
  type Preprocessing,
  type WaveMixConfig,
} from '@wavemix/models';
import { activeKernels, BACKENDS, markWebGLLost, switchBackend, type BackendName } from './backend';
import { BAND_NAMES, bandEnergy, extractBand, type BandName } from './logic/bands';
import { bandToRgba, differenceToRgba, rgbUnitToRgba } from './logic/display';
import { describeFit, planFit, workingImage, type FitPlan } from './logic/fit';
import { normaliseRows, parseMetricsJsonl, parseReport, series, type MetricsRun, type RunReport } from './logic/metrics_jsonl';
import { modelInputSize } from './logic/model_input';
import { classColor, labelHistogram, overlayLabels } from './logic/palette';
import { cropRgba, downscale2x, psnrRgba } from './logic/psnr';
import { formatMs, median } from './logic/timing';
import { BUNDLED_MODEL_URL, SAMPLES } from './samples';
import { confusionChart, curvesChart, topKChart } from './ui/charts';
import { computePyramid, reconstruct, timeRuns, type Pyramid, type Removal } from './wavelets';

// ---------------------------------------------------------------------------------------------
// DOM helpers

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no #${id}`);
  return element as T;
};

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, children: Array<Node | string> = []): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function putPixels(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, width: number, height: number, displayScale = 1): void {
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d')!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0);
  canvas.style.width = `${Math.round(width * displayScale)}px`;
  canvas.style.height = `${Math.round(height * displayScale)}px`;
  canvas.classList.add('pixels');
}

/** Display zoom so that an image of this size shows at about `target` pixels. */
const zoomFor = (width: number, height: number, target: number) => Math.max(1, Math.min(8, Math.floor(target / Math.max(width, height)))) || 1;

class ViewerInputError extends Error {
  override name = 'ViewerInputError';
}

// ---------------------------------------------------------------------------------------------
// State

interface LoadedImage {
  name: string;
  plan: FitPlan;
  /** RGBA bytes at the resized size (before padding). */
  rgba: Uint8ClampedArray;
  /** Padded RGB in [0, 1], [plan.height, plan.width, 3]. */
  working: Float32Array;
}

interface BackendTiming {
  transformMs?: number;
  modelMs?: number;
  kernels?: string[];
  unavailable?: string;
}

const state = {
  backend: null as BackendName | null,
  image: null as LoadedImage | null,
  pyramid: null as Pyramid | null,
  levels: 2,
  channel: 0,
  removal: null as Removal | null,
  reconstructionPsnr: null as number | null,
  perfectReconstructionError: null as number | null,
  predictor: null as WaveMixPredictor | null,
  modelSource: '',
  modelInput: null as { width: number; height: number; resized: boolean } | null,
  predictions: null as Array<{ className: string; probability: number }> | null,
  segmentation: null as { width: number; height: number; labels: Int32Array; base: Uint8ClampedArray; numClasses: number; classNames: string[] } | null,
  superResolution: null as { bicubicPsnr: number; modelPsnr: number; width: number; height: number } | null,
  featureLayer: '',
  featureShape: null as number[] | null,
  timings: {} as Partial<Record<BackendName, BackendTiming>>,
  run: null as MetricsRun | null,
  report: null as RunReport | null,
  messages: [] as string[],
};

// ---------------------------------------------------------------------------------------------
// Task queue and messages

let queue: Promise<void> = Promise.resolve();
let pending = 0;

function showMessage(text: string, kind: 'error' | 'info' = 'error'): void {
  state.messages.push(text);
  const close = element('button', { type: 'button', textContent: 'dismiss' });
  const box = element('div', { className: `message ${kind}` }, [element('span', { textContent: text }), close]);
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  close.addEventListener('click', () => box.remove());
  const messages = $('messages');
  messages.append(box);
  while (messages.children.length > 4) messages.firstElementChild!.remove();
}

function describeError(error: unknown): string {
  const e = error as Error;
  const text = e?.message ?? String(error);
  return text.length > 900 ? `${text.slice(0, 900)}…` : text;
}

function task(label: string, fn: () => Promise<void>): Promise<void> {
  pending++;
  $('busy').hidden = false;
  $('busy').textContent = `${label}…`;
  queue = queue
    .then(fn)
    .catch((error) => {
      console.error(error);
      showMessage(`${label} failed: ${describeError(error)}`);
    })
    .finally(() => {
      pending--;
      if (pending === 0) $('busy').hidden = true;
    });
  return queue;
}

// ---------------------------------------------------------------------------------------------
// Backend

function renderBackendStatus(): void {
  const kernels = activeKernels();
  $('backend-status').textContent = `Active backend: ${state.backend} — our kernels: ${kernels.length ? kernels.join(', ') : 'none (tfjs composites)'}`;
  $('backend-status').dataset['backend'] = state.backend ?? '';
  ($('backend') as HTMLSelectElement).value = state.backend ?? '';
}

async function useBackend(name: string): Promise<void> {
  const previous = state.backend;
  try {
    state.backend = await switchBackend(name);
  } finally {
    state.backend = (tf.getBackend() as BackendName) ?? state.backend;
    renderBackendStatus();
  }
  state.timings[state.backend] = { ...state.timings[state.backend], kernels: activeKernels() };
  try {
    await refreshAll();
  } catch (error) {
    if (state.backend === 'webgl' && previous && previous !== 'webgl' && /compile|context/i.test(describeError(error))) {
      // A lost WebGL context (Chromium on SwiftShader after a model ran on WebGPU): go back.
      markWebGLLost(describeError(error));
      state.timings.webgl = { unavailable: `WebGL context lost: ${describeError(error)}` };
      state.backend = await switchBackend(previous);
      renderBackendStatus();
      await refreshAll();
      throw new Error(`the webgl backend lost its WebGL context (${describeError(error)}); back on ${previous}. Reload the page to use webgl again.`);
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Image

async function decodeImage(blob: Blob, name: string): Promise<ImageBitmap> {
  if (blob.type && !blob.type.startsWith('image/')) {
    throw new ViewerInputError(`${name} is not an image (its type is ${blob.type}); open a PNG, JPEG, GIF, WebP or BMP file`);
  }
  try {
    return await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch {
    throw new ViewerInputError(`${name} could not be decoded as an image; open a PNG, JPEG, GIF, WebP or BMP file`);
  }
}

async function openImage(blob: Blob, name: string): Promise<void> {
  const bitmap = await decodeImage(blob, name);
  const plan = planFit(bitmap.width, bitmap.height);
  const canvas = document.createElement('canvas');
  canvas.width = plan.resizedWidth;
  canvas.height = plan.resizedHeight;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  // Transparent pixels are shown over black, the colour of zero.
  context.fillStyle = '#000';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, plan.resizedWidth, plan.resizedHeight);
  bitmap.close();
  const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
  state.image = { name, plan, rgba, working: workingImage(rgba, plan) };
  state.removal = null;
  const original = $<HTMLCanvasElement>('original');
  putPixels(original, rgbUnitToRgba(state.image.working, plan.width * plan.height), plan.width, plan.height, zoomFor(plan.width, plan.height, 256));
  original.dataset['width'] = String(plan.width);
  original.dataset['height'] = String(plan.height);
  $('fit-info').textContent = `${name}, ${describeFit(plan)}.`;
  $('fit-info').dataset['resized'] = String(plan.resized);
  $('fit-info').dataset['padded'] = String(plan.padded);
  await refreshAll();
}

// ---------------------------------------------------------------------------------------------
// Subbands

async function refreshSubbands(): Promise<void> {
  const image = state.image;
  if (!image) return;
  const { width, height } = image.plan;
  state.pyramid = await computePyramid(image.working, height, width, 3, state.levels);
  const rebuilt = await reconstruct(state.pyramid, null);
  let maxError = 0;
  for (let i = 0; i < rebuilt.length; i++) maxError = Math.max(maxError, Math.abs(rebuilt[i]! - image.working[i]!));
  state.perfectReconstructionError = maxError;
  $('transform-info').textContent =
    `${state.levels}-level Haar pyramid of the ${width}×${height} image on ${state.backend}: ` +
    `rebuilding it with idwt2d gives back the image to within ${maxError.toExponential(2)} (max |x − idwt(dwt(x))|).`;
  renderBands();
  await renderReconstruction();
}

function channelEnergy(image: LoadedImage, channel: number): number {
  let sum = 0;
  for (let i = channel; i < image.working.length; i += 3) sum += image.working[i]! * image.working[i]!;
  return sum;
}

function renderBands(): void {
  const pyramid = state.pyramid;
  const image = state.image;
  const container = $('bands');
  container.replaceChildren();
  if (!pyramid || !image) return;
  const total = channelEnergy(image, state.channel);
  const level1 = pyramid.levels[0]!;
  const zoom = zoomFor(level1.width, level1.height, 160);
  for (const level of pyramid.levels) {
    const row = element('div', { className: 'level' }, [element('h3', { textContent: `Level ${level.level}` })]);
    row.dataset['level'] = String(level.level);
    for (const band of BAND_NAMES) {
      const values = extractBand(level.data, level.height, level.width, pyramid.channels, band, state.channel);
      const energy = bandEnergy(values);
      const share = total > 0 ? energy / total : 0;
      const canvas = element('canvas');
      putPixels(canvas, bandToRgba(values, band === 'LL' ? 'approximation' : 'detail'), level.width, level.height, zoom * 2 ** (level.level - 1));
      Object.assign(canvas.dataset, { level: String(level.level), band, channel: String(state.channel), energy: String(energy), share: String(share) });
      canvas.setAttribute('aria-label', `${band} band of level ${level.level}`);
      const removed = state.removal?.level === level.level && state.removal.band === band;
      const figure = element('figure', { className: `band${removed ? ' removed' : ''}`, title: `Click to rebuild the image without ${band} of level ${level.level}` }, [
        canvas,
        element('figcaption', {}, [element('span', { className: 'name', textContent: band }), ` ${(100 * share).toFixed(2)} % · E = ${energy.toFixed(2)}`]),
      ]);
      figure.dataset['level'] = String(level.level);
      figure.dataset['band'] = band;
      figure.addEventListener('click', () => void task('Reconstruction', () => toggleRemoval(level.level, band)));
      row.append(figure);
    }
    container.append(row);
  }
}

async function toggleRemoval(level: number, band: BandName): Promise<void> {
  const same = state.removal?.level === level && state.removal.band === band;
  state.removal = same ? null : { level, band };
  renderBands();
  await renderReconstruction();
}

async function renderReconstruction(): Promise<void> {
  const box = $('reconstruction');
  const pyramid = state.pyramid;
  const image = state.image;
  if (!state.removal || !pyramid || !image || state.removal.level > pyramid.levels.length) {
    state.removal = null;
    state.reconstructionPsnr = null;
    box.hidden = true;
    return;
  }
  const { level, band } = state.removal;
  const rebuilt = await reconstruct(pyramid, state.removal);
  const pixels = image.plan.width * image.plan.height;
  const difference = new Float32Array(rebuilt.length);
  for (let i = 0; i < rebuilt.length; i++) difference[i] = image.working[i]! - rebuilt[i]!;
  const zoom = zoomFor(image.plan.width, image.plan.height, 256);
  const rebuiltRgba = rgbUnitToRgba(rebuilt, pixels);
  putPixels($('reconstructed'), rebuiltRgba, image.plan.width, image.plan.height, zoom);
  putPixels($('difference'), differenceToRgba(difference, pixels), image.plan.width, image.plan.height, zoom);
  state.reconstructionPsnr = psnrRgba(rgbUnitToRgba(image.working, pixels), rebuiltRgba);
  const what = band === 'LL' ? `LL of level ${level} (everything coarser than level ${level})` : `${band} of level ${level}`;
  $('reconstructed-caption').textContent = `Rebuilt without ${what}: PSNR ${state.reconstructionPsnr.toFixed(2)} dB against the original`;
  box.dataset['level'] = String(level);
  box.dataset['band'] = band;
  box.hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Models

function rgbaToTensor(rgba: Uint8ClampedArray, width: number, height: number): tf.Tensor3D {
  return tf.tidy(() => tf.slice(tf.tensor3d(Float32Array.from(rgba), [height, width, 4]), [0, 0, 0], [-1, -1, 3]) as tf.Tensor3D);
}

async function setPredictor(predictor: WaveMixPredictor, source: string): Promise<void> {
  state.predictor?.dispose();
  state.predictor = predictor;
  state.modelSource = source;
  const { config, classNames } = predictor.metadata;
  const size = config.inputSize ? `${config.inputSize[0]}×${config.inputSize[1]}` : `any size divisible by ${inputDivisor(config).divisor}`;
  $('model-info').textContent =
    `${source}: ${config.task}, ${predictor.model.countParams().toLocaleString('en')} parameters, input ${size}, ` +
    `${config.inChannels} channel${config.inChannels > 1 ? 's' : ''}${classNames ? `, ${classNames.length} classes` : ''}.`;
  $('model-info').dataset['task'] = config.task;
  populateFeatureLayers(predictor.model);
  await runModel();
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ViewerInputError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

async function createFromZoo(): Promise<void> {
  const name = ($('zoo-model') as HTMLSelectElement).value;
  const text = ($('zoo-overrides') as HTMLInputElement).value.trim();
  const overrides = text ? (parseJson(text, 'the overrides') as Partial<WaveMixConfig>) : undefined;
  const model = createModel(name, overrides ? { overrides } : {});
  await setPredictor(new WaveMixPredictor(model, getWaveMixMetadata(model)!), `${name} (random weights)`);
}

async function loadTrainerFolder(files: File[]): Promise<void> {
  const json = files.find((f) => f.name.endsWith('.json'));
  if (!json) throw new ViewerInputError('choose the model.json of the trainer output folder (<run>/model/) together with its weights file(s)');
  const weights = files.filter((f) => f !== json);
  if (weights.length === 0) throw new ViewerInputError(`${json.name} needs its weights file(s) too (weights.bin in the same folder); select them together`);
  const predictor = await load(tf.io.browserFiles([json, ...weights]));
  await setPredictor(predictor, json.webkitRelativePath || `${json.name} + ${weights.map((w) => w.name).join(', ')}`);
}

async function loadBundledModel(): Promise<void> {
  const predictor = await load(new URL(BUNDLED_MODEL_URL, location.href).href);
  await setPredictor(predictor, 'bundled tiny MNIST classifier (trained)');
}

async function loadPyTorch(): Promise<void> {
  const weights = ($('pytorch-weights') as HTMLInputElement).files?.[0];
  const configFile = ($('pytorch-config') as HTMLInputElement).files?.[0];
  if (!weights || !configFile) throw new ViewerInputError('choose a .safetensors or .pth file and its config (.json, e.g. the trainer\'s model-config.json)');
  const config = parseJson(await configFile.text(), configFile.name) as Record<string, unknown>;
  if (!config || typeof config !== 'object' || Array.isArray(config)) throw new ViewerInputError(`${configFile.name} must hold a JSON object`);
  // The trainer's model-config.json adds the run's `name` to the constructor fields.
  // `preprocessing` (colour space, mean, std of the training data) is the viewer's addition.
  const { name, preprocessing, ...fields } = config;
  const options = preprocessing ? { preprocessing: preprocessing as Preprocessing } : {};
  const zooName = typeof name === 'string' && listModels().some((m) => m.name === name) ? name : null;
  const model = zooName && !('task' in fields) ? createModel(zooName, options) : createModel(fields as unknown as WaveMixConfig, options);
  try {
    loadPyTorchWeights(model, new Uint8Array(await weights.arrayBuffer()), { source: weights.name });
  } catch (error) {
    model.dispose();
    throw new ViewerInputError(`${weights.name} does not match ${configFile.name}: ${describeError(error)}`);
  }
  await setPredictor(new WaveMixPredictor(model, getWaveMixMetadata(model)!), `${weights.name} with ${configFile.name}`);
}

function hideModelOutputs(): void {
  for (const id of ['classification', 'segmentation', 'super-resolution']) $(id).hidden = true;
}

async function runModel(): Promise<void> {
  const predictor = state.predictor;
  const image = state.image;
  hideModelOutputs();
  state.predictions = null;
  state.segmentation = null;
  state.superResolution = null;
  if (!predictor || !image) return;
  const { config } = predictor.metadata;
  const { divisor } = inputDivisor(config);
  const { resizedWidth: width, resizedHeight: height } = image.plan;
  if (config.task === 'sisr' || config.task === 'wavemix-sr') {
    await runSuperResolution(predictor, image, divisor);
  } else {
    const size = modelInputSize(config.inputSize, divisor, width, height);
    state.modelInput = size;
    const input = tf.tidy(() => {
      const t = rgbaToTensor(image.rgba, width, height);
      return size.resized && !config.inputSize ? tf.image.resizeBilinear(t, [size.height, size.width], false, true) : t;
    });
    try {
      if (config.task === 'classification') {
        state.predictions = await predictor.classify(input, Math.min(5, config.numClasses ?? 5));
        renderPredictions();
      } else {
        const result = await predictor.segment(input);
        const bytes = tf.tidy(() => tf.cast(tf.round(tf.clipByValue(input, 0, 255)), 'int32') as tf.Tensor3D);
        const base = await tf.browser.toPixels(bytes);
        bytes.dispose();
        state.segmentation = { ...result, base };
        renderSegmentation();
      }
      await renderFeatures(input);
      await timeModel(predictor, input);
    } finally {
      input.dispose();
    }
    const note = size.resized ? `the image was resized to ${size.width}×${size.height} for the model` : `the image was given to the model at its own size (${size.width}×${size.height})`;
    $('model-info').dataset['input'] = `${size.width}x${size.height}`;
    $('model-info').title = note;
    document.getElementById('model-input-note')?.remove();
    $('model-info').after(element('p', { id: 'model-input-note', className: 'hint', textContent: `Model input: ${note}.` }));
  }
}

function renderPredictions(): void {
  const predictions = state.predictions!;
  $('classification').hidden = false;
  topKChart($<HTMLCanvasElement>('topk-chart'), predictions);
  const list = $('topk-list');
  list.replaceChildren(...predictions.map((p) => element('li', { textContent: `${p.className}: ${(100 * p.probability).toFixed(1)} %` })));
  list.dataset['top1'] = predictions[0]?.className ?? '';
}

function renderSegmentation(): void {
  const seg = state.segmentation!;
  $('segmentation').hidden = false;
  const opacity = Number(($('seg-opacity') as HTMLInputElement).value);
  const canvas = $<HTMLCanvasElement>('seg-canvas');
  putPixels(canvas, overlayLabels(seg.base, seg.labels, opacity), seg.width, seg.height, zoomFor(seg.width, seg.height, 384));
  canvas.dataset['opacity'] = String(opacity);
  const counts = labelHistogram(seg.labels, seg.numClasses);
  $('seg-legend').replaceChildren(
    ...counts.flatMap((count, label) => {
      if (count === 0) return [];
      const [r, g, b] = classColor(label);
      const swatch = element('span', { className: 'swatch' });
      swatch.style.background = `rgb(${r}, ${g}, ${b})`;
      return [element('li', {}, [swatch, `${seg.classNames[label] ?? label}: ${((100 * count) / seg.labels.length).toFixed(1)} %`])];
    }),
  );
}

async function runSuperResolution(predictor: WaveMixPredictor, image: LoadedImage, divisor: number): Promise<void> {
  const step = 2 * divisor;
  const width = Math.max(step, Math.floor(image.plan.resizedWidth / step) * step);
  const height = Math.max(step, Math.floor(image.plan.resizedHeight / step) * step);
  if (width > image.plan.resizedWidth || height > image.plan.resizedHeight) throw new ViewerInputError(`the image is too small for this model (needs at least ${step}×${step})`);
  const hr = cropRgba(image.rgba, image.plan.resizedWidth, width, height);
  const lr = downscale2x(hr, width, height);
  const lrWidth = width / 2;
  const lrHeight = height / 2;
  const bicubic = tf.tidy(() => {
    const x = tf.expandDims(rgbaToTensor(lr, lrWidth, lrHeight), 0) as tf.Tensor4D;
    const up = tf.squeeze(bicubicUpsample2x(x), [0]);
    const rgb = tf.cast(tf.round(tf.clipByValue(up, 0, 255)), 'int32');
    return tf.concat([rgb, tf.fill([height, width, 1], 255, 'int32')], 2) as tf.Tensor3D;
  });
  const bicubicRgba = new Uint8ClampedArray(await bicubic.data());
  bicubic.dispose();
  const lrImage = { data: lr, width: lrWidth, height: lrHeight };
  const upscaled = await predictor.upscale(lrImage);
  const zoom = zoomFor(width, height, 256);
  putPixels($('sr-input'), lr, lrWidth, lrHeight, 2 * zoom);
  putPixels($('sr-bicubic'), bicubicRgba, width, height, zoom);
  putPixels($('sr-model'), upscaled.data, upscaled.width, upscaled.height, zoom);
  const bicubicPsnr = psnrRgba(hr, bicubicRgba);
  const modelPsnr = psnrRgba(hr, upscaled.data);
  state.superResolution = { bicubicPsnr, modelPsnr, width, height };
  $('sr-bicubic-caption').textContent = `Bicubic ×2: PSNR ${bicubicPsnr.toFixed(2)} dB`;
  $('sr-model-caption').textContent = `Model ×2: PSNR ${modelPsnr.toFixed(2)} dB (against the ${width}×${height} original)`;
  $('super-resolution').hidden = false;
  state.modelInput = { width: lrWidth, height: lrHeight, resized: true };
  const input = tf.tidy(() => predictor.preprocess(lrImage));
  try {
    await renderFeatures(input);
    await timeModel(predictor, input);
  } finally {
    input.dispose();
  }
}

const FEATURE_LAYER = /^(conv\.\d+|layers\.\d+\.(dwt|residual)|expand\.\d+)$/;

function populateFeatureLayers(model: LayersModel): void {
  const select = $('feature-layer') as HTMLSelectElement;
  const layers = model.layers.filter((l) => FEATURE_LAYER.test(l.name) && (l.outputShape as number[]).length === 4);
  select.replaceChildren(...layers.map((l) => element('option', { value: l.name, textContent: `${l.name} (${l.getClassName()})` })));
  const lastBlock = [...layers].reverse().find((l) => l.name.endsWith('.residual'));
  state.featureLayer = lastBlock?.name ?? layers[layers.length - 1]?.name ?? '';
  select.value = state.featureLayer;
  $('features').hidden = layers.length === 0;
}

/** Feature maps of the selected layer for `image` (model input before preprocessing, or preprocessed when 4D). */
async function renderFeatures(image: tf.Tensor): Promise<void> {
  const predictor = state.predictor;
  const grid = $('feature-grid');
  grid.replaceChildren();
  if (!predictor || !state.featureLayer) return;
  const layer = predictor.model.getLayer(state.featureLayer);
  const sub = functionalModel({ inputs: predictor.model.inputs, outputs: layer.output as SymbolicTensor });
  const maps = tf.tidy(() => {
    const x = image.rank === 4 ? (image as tf.Tensor4D) : predictor.preprocess(image as tf.Tensor3D);
    const y = sub.predict(x) as tf.Tensor4D;
    const shown = Math.min(16, y.shape[3]);
    const slice = tf.slice(y, [0, 0, 0, 0], [1, -1, -1, shown]);
    const min = tf.min(slice, [0, 1, 2], true);
    const max = tf.max(slice, [0, 1, 2], true);
    const unit = tf.div(tf.sub(slice, min), tf.maximum(tf.sub(max, min), 1e-12));
    return { unit: tf.squeeze(tf.transpose(unit, [3, 1, 2, 0]), [3]) as tf.Tensor3D, shape: y.shape };
  });
  state.featureShape = maps.shape;
  const [count, height, width] = maps.unit.shape;
  const data = (await maps.unit.data()) as Float32Array;
  maps.unit.dispose();
  for (let k = 0; k < count; k++) {
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      const g = Math.round(255 * data[k * width * height + p]!);
      rgba.set([g, g, g, 255], 4 * p);
    }
    const canvas = element('canvas', { title: `${state.featureLayer}, channel ${k}` });
    putPixels(canvas, rgba, width, height);
    canvas.style.width = canvas.style.height = '';
    grid.append(canvas);
  }
  grid.dataset['layer'] = state.featureLayer;
  grid.dataset['shape'] = maps.shape.join('x');
}

async function timeModel(predictor: WaveMixPredictor, image: tf.Tensor): Promise<void> {
  const input = tf.tidy(() => (image.rank === 4 ? image.clone() : predictor.preprocess(image as tf.Tensor3D)));
  try {
    const times = await timeRuns(() => predictor.model.predict(input) as tf.Tensor, 5);
    recordTiming({ modelMs: median(times) });
  } finally {
    input.dispose();
  }
}

async function timeTransform(): Promise<void> {
  const image = state.image;
  if (!image) return;
  const x = tf.tensor4d(image.working, [1, image.plan.height, image.plan.width, 3]);
  try {
    const times = await timeRuns(() => waveletPyramid(x, state.levels), 5);
    recordTiming({ transformMs: median(times) });
  } finally {
    x.dispose();
  }
}

function recordTiming(update: BackendTiming): void {
  if (!state.backend) return;
  state.timings[state.backend] = { ...state.timings[state.backend], ...update, kernels: activeKernels() };
  delete state.timings[state.backend]!.unavailable;
  renderTimings();
}

function renderTimings(): void {
  const body = $('timings').querySelector('tbody')!;
  body.replaceChildren(
    ...BACKENDS.map((backend) => {
      const t = state.timings[backend];
      const row = element('tr', {}, [
        element('td', { textContent: backend + (backend === state.backend ? ' (active)' : '') }),
        element('td', { textContent: t?.unavailable ? `unavailable: ${t.unavailable}` : formatMs(t?.transformMs ?? NaN) }),
        element('td', { textContent: t?.unavailable ? '' : formatMs(t?.modelMs ?? NaN) }),
        element('td', { textContent: t?.kernels?.join(', ') ?? '' }),
      ]);
      row.dataset['backend'] = backend;
      return row;
    }),
  );
}

async function benchmarkAll(): Promise<void> {
  const original = state.backend;
  // WebGPU last: on SwiftShader, running a model on WebGPU costs WebGL its context (see backend.ts).
  for (const backend of ['webgl', 'wasm', 'cpu', 'webgpu'] as const) {
    try {
      await useBackend(backend); // recomputes everything, timing the transform and the model
    } catch (error) {
      state.timings[backend] = { unavailable: describeError(error) };
      renderTimings();
    }
  }
  if (original && state.backend !== original) await useBackend(original);
}

// ---------------------------------------------------------------------------------------------
// Training runs

function renderRun(): void {
  const run = state.run;
  if (!run) return;
  const lossCurves = [
    { label: 'train loss (steps)', points: series(run.steps, 'step', 'loss'), color: '#9db4d6' },
    { label: 'train loss (epochs)', points: series(run.epochs, 'step', 'trainLoss'), color: '#1f4e8c' },
    { label: 'validation loss', points: series(run.epochs, 'step', 'valLoss'), color: '#c0392b' },
  ].filter((c) => c.points.length > 0);
  curvesChart($<HTMLCanvasElement>('loss-chart'), 'Loss', 'step', lossCurves);
  const metricKeys = new Set<string>();
  for (const record of run.epochs) {
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === 'number' && (key === 'trainAccuracy' || (key.startsWith('val') && key !== 'valLoss'))) metricKeys.add(key);
    }
  }
  const colors = ['#1f4e8c', '#c0392b', '#27864a', '#a0591b', '#6c3483'];
  curvesChart(
    $<HTMLCanvasElement>('accuracy-chart'),
    'Accuracy and validation metrics',
    'epoch',
    [...metricKeys].map((key, i) => ({ label: key, points: series(run.epochs, 'epoch', key), color: colors[i % colors.length]! })),
  );
  const test = run.test ? Object.entries(run.test).filter(([k, v]) => typeof v === 'number' && k !== 'time').map(([k, v]) => `${k} ${(v as number).toFixed(4)}`).join(', ') : 'none';
  $('run-info').textContent = `${run.steps.length} step records, ${run.epochs.length} epochs; test: ${test}`;
}

function renderReport(): void {
  const report = state.report;
  if (!report) return;
  confusionChart($<HTMLCanvasElement>('confusion-chart'), normaliseRows(report.confusionMatrix), report.confusionMatrix, report.classNames);
}

// ---------------------------------------------------------------------------------------------
// Wiring

async function refreshAll(): Promise<void> {
  if (!state.image) return;
  await refreshSubbands();
  await timeTransform();
  await runModel();
}

function setUpDropZone(): void {
  const zone = $('drop-zone');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) void task('Opening the dropped image', () => openImage(file, file.name));
  });
}

function wire(): void {
  ($('image-file') as HTMLInputElement).addEventListener('change', (event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (file) void task(`Opening ${file.name}`, () => openImage(file, file.name));
  });
  setUpDropZone();
  $('samples').append(
    ...SAMPLES.map((sample) => {
      const button = element('button', { type: 'button', textContent: sample.label });
      button.dataset['sample'] = sample.id;
      button.addEventListener('click', () =>
        void task(`Opening ${sample.label}`, async () => {
          const response = await fetch(sample.url);
          if (!response.ok) throw new Error(`${sample.url}: HTTP ${response.status}`);
          await openImage(await response.blob(), `${sample.label} (sample)`);
        }),
      );
      return button;
    }),
  );
  ($('backend') as HTMLSelectElement).addEventListener('change', (event) => {
    const name = (event.target as HTMLSelectElement).value;
    void task(`Switching to ${name}`, () => useBackend(name));
  });
  ($('levels') as HTMLSelectElement).addEventListener('change', (event) => {
    state.levels = Number((event.target as HTMLSelectElement).value);
    void task('Transform', async () => {
      await refreshSubbands();
      await timeTransform();
    });
  });
  ($('channel') as HTMLSelectElement).addEventListener('change', (event) => {
    state.channel = Number((event.target as HTMLSelectElement).value);
    renderBands();
  });
  const zoo = $('zoo-model') as HTMLSelectElement;
  zoo.append(
    ...listModels().map((m) =>
      element('option', { value: m.name, textContent: `${m.name} (${m.task}, ${(m.trainableParams / 1e6).toFixed(2)} M)` }),
    ),
  );
  zoo.value = 'mnist-wavemix-lite-8-10';
  $('zoo-create').addEventListener('click', () => void task('Creating the model', createFromZoo));
  ($('model-files') as HTMLInputElement).addEventListener('change', (event) => {
    const files = [...((event.target as HTMLInputElement).files ?? [])];
    if (files.length) void task('Loading the model', () => loadTrainerFolder(files));
  });
  $('bundled-model').addEventListener('click', () => void task('Loading the bundled model', loadBundledModel));
  $('pytorch-load').addEventListener('click', () => void task('Loading PyTorch weights', loadPyTorch));
  ($('seg-opacity') as HTMLInputElement).addEventListener('input', () => {
    if (state.segmentation) renderSegmentation();
  });
  ($('feature-layer') as HTMLSelectElement).addEventListener('change', (event) => {
    state.featureLayer = (event.target as HTMLSelectElement).value;
    void task('Feature maps', runModel);
  });
  $('benchmark').addEventListener('click', () => void task('Timing every backend', benchmarkAll));
  ($('metrics-file') as HTMLInputElement).addEventListener('change', (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) {
      void task(`Reading ${file.name}`, async () => {
        state.run = parseMetricsJsonl(await file.text(), file.name);
        renderRun();
      });
    }
  });
  ($('report-file') as HTMLInputElement).addEventListener('change', (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) {
      void task(`Reading ${file.name}`, async () => {
        state.report = parseReport(await file.text(), file.name);
        renderReport();
      });
    }
  });
}

/** A read-only window onto the page for tests and the curious (`window.__wavemix`). */
const debugHook = {
  /** Resolves once every queued action has finished. */
  idle: async () => {
    while (pending > 0) await queue;
  },
  backend: () => state.backend,
  kernels: () => activeKernels(),
  fit: () => state.image && { ...state.image.plan },
  /** The padded working image, [height, width, 3] in [0, 1]. */
  image: () => state.image && Array.from(state.image.working),
  levels: () => state.pyramid?.levels.map((l) => ({ level: l.level, height: l.height, width: l.width, channels: state.pyramid!.channels })) ?? [],
  /** Level `level` in the WaveMix layout (NHWC [1, h, w, 4c], flattened). */
  level: (level: number) => {
    const l = state.pyramid?.levels[level - 1];
    return l ? Array.from(l.data) : null;
  },
  perfectReconstructionError: () => state.perfectReconstructionError,
  reconstruction: () => state.removal && { ...state.removal, psnr: state.reconstructionPsnr },
  predictions: () => state.predictions,
  modelInput: () => state.modelInput,
  segmentation: () => state.segmentation && { width: state.segmentation.width, height: state.segmentation.height, histogram: labelHistogram(state.segmentation.labels, state.segmentation.numClasses) },
  superResolution: () => state.superResolution,
  features: () => state.featureShape && { layer: state.featureLayer, shape: state.featureShape },
  timings: () => JSON.parse(JSON.stringify(state.timings)) as typeof state.timings,
  run: () => state.run && { steps: state.run.steps.length, epochs: state.run.epochs.length, test: state.run.test },
  report: () => state.report && { classes: state.report.classNames.length },
  messages: () => [...state.messages],
  numTensors: () => tf.memory().numTensors,
  ready: false,
};
(globalThis as unknown as { __wavemix: typeof debugHook }).__wavemix = debugHook;

wire();
renderTimings();
void task('Starting', async () => {
  const requested = new URLSearchParams(location.search).get('backend');
  const order = requested ? [requested, ...BACKENDS.filter((b) => b !== requested)] : [...BACKENDS];
  for (const backend of order) {
    try {
      state.backend = await switchBackend(backend);
      break;
    } catch (error) {
      state.timings[backend as BackendName] = { unavailable: describeError(error) };
      if (backend === requested) showMessage(describeError(error));
    }
  }
  renderBackendStatus();
  renderTimings();
}).finally(() => {
  debugHook.ready = true;
});

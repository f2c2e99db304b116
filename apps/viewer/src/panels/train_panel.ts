/**
 * 6. Train: trains a small WaveMix classifier in the page on the active backend (WebGPU, WebGL,
 * wasm or cpu) on the bundled MNIST sample or a folder of images in class subfolders, with live
 * loss / accuracy curves, Stop and Resume, evaluation on the held-out images, and downloads of the
 * result, one file per click (the tfjs model folder zipped as model.tfjs.zip, PyTorch safetensors).
 * Training is one queued action that yields to the page between steps (Stop, or the busy bar's
 * Cancel, takes effect at the next step), so a backend switch never lands in the middle of a step.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  buildModel,
  exportPyTorchWeightsAsync,
  getModelInfo,
  getWaveMixMetadata,
  listModels,
  setWaveMixMetadata,
  WaveMixPredictor,
  type WaveMixConfig,
} from '@wavemix/models';
import { CancelledError, type TaskContext, type TaskQueue } from '../app/tasks';
import { ViewerInputError } from '../errors';
import { loadImageFolder, loadMnistSample, type TrainingData } from '../train/data';
import { TFJS_ARCHIVE_NAME, tfjsModelArchive } from '../train/model_archive';
import { TrainingSession, type TrainingOptions } from '../train/session';
import { curvesChart } from '../ui/charts';
import { $, element, parseJson } from '../ui/dom';
import { clearMessages, showMessage } from '../ui/messages';
import type { Panel } from './panel';

const ANCHOR = 'train-section';

/** WaveMix-Lite shapes for 28×28 grey images that train in seconds to minutes in a browser. */
export const TRAIN_PRESETS: Record<string, { label: string; config: WaveMixConfig }> = {
  'lite-tiny': {
    label: 'WaveMix-Lite tiny (11.7 k parameters, the bundled classifier)',
    config: {
      task: 'classification',
      numClasses: 10,
      depth: 2,
      mult: 2,
      ffChannel: 16,
      finalDim: 16,
      dropout: 0,
      level: 1,
      initialConv: 'pachify',
      patchSize: 2,
    },
  },
  'mnist-quick': {
    label: "WaveMix-Lite 24/2 (the trainer's mnist-quick)",
    config: {
      task: 'classification',
      numClasses: 10,
      depth: 2,
      mult: 2,
      ffChannel: 24,
      finalDim: 24,
      dropout: 0,
      level: 1,
      initialConv: 'pachify',
      patchSize: 2,
    },
  },
};

export class TrainPanel implements Panel {
  private session: TrainingSession | null = null;
  private targetSteps = 0;
  private stopRequested = false;
  private running = false;
  private folderFiles: File[] = [];

  constructor(
    private readonly tasks: TaskQueue,
    /** Hands the trained model to the Model panel. */
    private readonly useModel: (label: string, reload: () => Promise<WaveMixPredictor>) => void,
  ) {
    const select = $<HTMLSelectElement>('train-config');
    select.append(
      ...Object.entries(TRAIN_PRESETS).map(([value, preset]) =>
        element('option', { value, textContent: preset.label }),
      ),
      ...listModels()
        .filter((m) => m.task === 'classification')
        .map((m) =>
          element('option', {
            value: `zoo:${m.name}`,
            textContent: `zoo: ${m.name} (${(m.trainableParams / 1e3).toFixed(1)} k)`,
          }),
        ),
    );
    $('train-start').addEventListener('click', () => this.start());
    $('train-resume').addEventListener('click', () => this.train());
    $('train-stop').addEventListener('click', () => {
      this.stopRequested = true;
    });
    $('train-evaluate').addEventListener(
      'click',
      () => void this.tasks.run('Evaluating', ANCHOR, (ctx) => this.evaluate(ctx)),
    );
    $('train-use').addEventListener('click', () => this.handOver());
    $('train-download-tfjs').addEventListener(
      'click',
      () => void this.tasks.run('Saving the tfjs model', ANCHOR, () => this.downloadTfjs()),
    );
    $('train-download-pytorch').addEventListener(
      'click',
      () => void this.tasks.run('Exporting PyTorch weights', ANCHOR, () => this.downloadPyTorch()),
    );
    const chooseFolder = (files: File[]) => {
      this.folderFiles = files;
      $<HTMLSelectElement>('train-data').value = 'folder';
      showMessage('train-data-source', `${files.length} files chosen`, 'info');
    };
    $<HTMLInputElement>('train-folder').addEventListener('change', (event) =>
      chooseFolder([...((event.target as HTMLInputElement).files ?? [])]),
    );
    const drop = $('train-data-source');
    drop.addEventListener('dragover', (event) => event.preventDefault());
    drop.addEventListener('drop', (event) => {
      event.preventDefault();
      void droppedFiles(event.dataTransfer).then(chooseFolder);
    });
    this.render();
  }

  private config(): WaveMixConfig {
    const choice = $<HTMLSelectElement>('train-config').value;
    const base = choice.startsWith('zoo:') ? getModelInfo(choice.slice(4)).config : TRAIN_PRESETS[choice]!.config;
    const text = $<HTMLInputElement>('train-overrides').value.trim();
    const overrides = text ? parseJson(text, 'the overrides', (m) => new ViewerInputError(m)) : {};
    if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides))
      throw new ViewerInputError('the overrides must be a JSON object, e.g. {"dropout": 0}');
    return { ...base, ...(overrides as Partial<WaveMixConfig>) } as WaveMixConfig;
  }

  private options(): TrainingOptions {
    const number = (id: string, min: number) => {
      const value = Number($<HTMLInputElement>(id).value);
      if (!Number.isFinite(value) || value < min)
        throw new ViewerInputError(
          `${$(id).parentElement?.firstChild?.textContent?.trim() ?? id} must be a number ≥ ${min}`,
        );
      return value;
    };
    return {
      batchSize: Math.floor(number('train-batch', 1)),
      learningRate: number('train-lr', 0),
      weightDecay: 0.01,
      seed: Math.floor(number('train-seed', 0)),
    };
  }

  private async data(): Promise<TrainingData> {
    if ($<HTMLSelectElement>('train-data').value === 'mnist-sample') return loadMnistSample();
    if (this.folderFiles.length === 0)
      throw new ViewerInputError('choose or drop a folder of images in class subfolders first');
    const config = this.config();
    const [height, width] = config.inputSize ?? [28, 28];
    return loadImageFolder(this.folderFiles, height, width, config.inChannels ?? 1);
  }

  /** A new run: new model (seeded weights), optimizer and batch order. */
  private start(): void {
    void this.tasks.run('Preparing the training run', ANCHOR, async (ctx) => {
      clearMessages(ANCHOR);
      await ctx.step('reading the data');
      const data = await this.data();
      const config = this.config();
      const options = this.options();
      await ctx.step('building the model');
      this.session?.dispose();
      this.session = null;
      this.session = new TrainingSession(config, data, options);
      this.targetSteps = 0;
      this.render();
    });
    this.train();
  }

  /** Trains until the step count reaches "Steps" more than where it stopped (or Stop). */
  private train(): void {
    void this.tasks.run('Training', ANCHOR, async (ctx) => {
      const session = this.session;
      if (!session) return;
      if (tf.getBackend() === 'wasm') {
        throw new ViewerInputError(
          "the wasm backend cannot train in the page (tfjs-backend-wasm has no Conv2DBackpropFilter, and the trainer's wasm training kernels are not bundled here): switch to webgpu, webgl or cpu",
        );
      }
      const steps = Math.floor(Number($<HTMLInputElement>('train-steps').value));
      if (!(steps >= 1)) throw new ViewerInputError('Steps must be at least 1');
      this.targetSteps = session.step + steps;
      this.stopRequested = false;
      this.running = true;
      this.render();
      const first = session.step;
      try {
        while (session.step < this.targetSteps && !this.stopRequested) {
          await ctx.step(
            `step ${session.step + 1} of ${this.targetSteps}`,
            (session.step - first) / (this.targetSteps - first),
          );
          await session.trainStep();
          this.renderCurves();
        }
        if (!this.stopRequested) await this.evaluate(ctx);
        else showMessage(ANCHOR, `stopped at step ${session.step}; Resume continues from there`, 'info');
      } catch (error) {
        // The busy bar's Cancel: the same as Stop.
        if (!(error instanceof CancelledError)) throw error;
        showMessage(ANCHOR, `stopped at step ${session.step}; Resume continues from there`, 'info');
      } finally {
        this.running = false;
        this.render();
      }
    });
  }

  private async evaluate(ctx: TaskContext): Promise<void> {
    const session = this.session;
    if (!session) return;
    await session.evaluate((done, total) => ctx.step(`evaluating ${done}/${total}`, done / total));
    this.render();
  }

  /** The trained weights, read back, in a fresh model for the Model panel (which rebuilds it after backend switches). */
  private handOver(): void {
    const session = this.session;
    if (!session) return;
    void this.tasks.run('Copying the trained model', ANCHOR, async () => {
      const weights = await Promise.all(
        session.model.getWeights().map(async (w) => ({ shape: w.shape, dtype: w.dtype, data: await w.data() })),
      );
      const metadata = getWaveMixMetadata(session.model)!;
      this.useModel(`trained in the page (step ${session.step})`, async () => {
        const model = buildModel(metadata.config);
        setWaveMixMetadata(model, metadata);
        const tensors = weights.map((w) => tf.tensor(w.data, w.shape, w.dtype));
        model.setWeights(tensors);
        tf.dispose(tensors);
        return new WaveMixPredictor(model, getWaveMixMetadata(model)!);
      });
    });
  }

  /** One file per click (a second automatic download from one click is blocked or needs the user's permission). */
  private async downloadTfjs(): Promise<void> {
    if (!this.session) return;
    saveFile(await tfjsModelArchive(this.session.model), TFJS_ARCHIVE_NAME, 'application/zip');
  }

  private async downloadPyTorch(): Promise<void> {
    if (!this.session) return;
    saveFile(await exportPyTorchWeightsAsync(this.session.model), 'model.safetensors', 'application/octet-stream');
  }

  private renderCurves(): void {
    const session = this.session;
    if (!session) return;
    const steps = session.history;
    const tests = session.evaluations;
    curvesChart($<HTMLCanvasElement>('train-loss-chart'), 'Loss', 'step', [
      { label: 'train loss', points: steps.map((r) => ({ x: r.step, y: r.loss })), color: '#9db4d6' },
      { label: 'test loss', points: tests.map((r) => ({ x: r.step, y: r.loss })), color: '#c0392b' },
    ]);
    curvesChart($<HTMLCanvasElement>('train-accuracy-chart'), 'Accuracy', 'step', [
      { label: 'train accuracy (batch)', points: steps.map((r) => ({ x: r.step, y: r.accuracy })), color: '#1f4e8c' },
      { label: 'test accuracy', points: tests.map((r) => ({ x: r.step, y: r.accuracy })), color: '#27864a' },
    ]);
  }

  private render(): void {
    const session = this.session;
    const has = session !== null;
    $<HTMLButtonElement>('train-start').disabled = this.running;
    $<HTMLButtonElement>('train-stop').disabled = !this.running;
    for (const id of ['train-resume', 'train-evaluate', 'train-use', 'train-download-tfjs', 'train-download-pytorch'])
      $<HTMLButtonElement>(id).disabled = !has || this.running;
    if (!session) return;
    const last = session.history[session.history.length - 1];
    const test = session.evaluations[session.evaluations.length - 1];
    $('train-info').textContent =
      `${session.data.name}: ${session.data.train.count.toLocaleString('en')} training / ${session.data.test.count.toLocaleString('en')} test images, ${session.model.countParams().toLocaleString('en')} parameters, ` +
      `on ${tf.getBackend()}. Step ${session.step}, epoch ${session.epoch + 1}` +
      (last ? `, loss ${last.loss.toFixed(4)}` : '') +
      (test
        ? `; test (step ${test.step}): loss ${test.loss.toFixed(4)}, accuracy ${(100 * test.accuracy).toFixed(1)} %`
        : '') +
      '.';
    this.renderCurves();
  }

  /** Training continues on the new backend (tfjs moves the weights and optimizer state on first use); the line says where. */
  async backendChanged(): Promise<void> {
    this.render();
  }

  debug(): Record<string, (...args: never[]) => unknown> {
    return {
      trainHistory: () => this.session?.history.map((r) => ({ ...r })) ?? [],
      trainEvaluations: () => this.session?.evaluations.map((r) => ({ ...r })) ?? [],
      trainRunning: () => this.running,
      /** The trained model's raw outputs (logits) for `values` of `shape` (NHWC), to compare with its downloads. */
      trainPredict: async (values: number[], shape: number[]) => {
        if (!this.session) return null;
        const output = tf.tidy(() => this.session!.model.predict(tf.tensor(values, shape)) as tf.Tensor);
        const data = Array.from(await output.data());
        output.dispose();
        return data;
      },
    };
  }
}

/** Offers `bytes` as a download named `name` (one file). */
function saveFile(bytes: Uint8Array, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  element('a', { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The files of a dropped folder (with their paths inside it), through the entries API. */
async function droppedFiles(transfer: DataTransfer | null): Promise<File[]> {
  const files: File[] = [];
  const walk = async (entry: FileSystemEntry, path: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      files.push(new File([file], file.name, { type: file.type }));
      Object.defineProperty(files[files.length - 1], 'webkitRelativePath', { value: `${path}${file.name}` });
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, `${path}${entry.name}/`);
    }
  };
  for (const item of [...(transfer?.items ?? [])]) {
    const entry = item.webkitGetAsEntry();
    if (entry) await walk(entry, '');
  }
  return files;
}

/**
 * 3. Model: loads a model from one of the sources, runs it once on the image and shows the
 * result (timing is the Timings panel's job), then the feature maps. Large runs ask first; a new
 * model or image clears the previous outputs; errors show in the fieldset of the source that
 * caused them. After a backend switch the model is rebuilt from its source.
 */
import * as tf from '@tensorflow/tfjs-core';
import { inputDivisor, listModels } from '@wavemix/models';
import { disposePredictor, layersModelOf, type Predictor } from '../../app/predictor';
import type { LoadedModel, ModelSource, Store } from '../../app/store';
import type { TaskContext, TaskQueue } from '../../app/tasks';
import { ViewerInputError } from '../../errors';
import { modelInputSize } from '../../logic/model_input';
import { largeRunWarning } from '../../logic/run_size';
import { BUNDLED_MODEL_URL } from '../../samples';
import { $, element } from '../../ui/dom';
import { clearMessages, showMessage } from '../../ui/messages';
import type { Panel } from '../panel';
import { FeatureMaps } from './features';
import { ModelOutputs, rgbaToTensor } from './outputs';
import { fromOnnx, type OnnxProvider } from './onnx_source';
import { fromPyTorch, fromTrainerFolder, fromUrl, fromZoo, type Loaded } from './sources';

const ANCHOR = 'models-section';

const parameterCount = ({ predictor, source }: LoadedModel): number =>
  layersModelOf(predictor)?.countParams() ?? source.parameterCount ?? 0;

export class ModelPanel implements Panel {
  readonly outputs = new ModelOutputs();
  private readonly features: FeatureMaps;
  private modelInput: { width: number; height: number; resized: boolean } | null = null;
  /** The large run the user agreed to (model source + image), so a refresh or a backend switch does not ask again. */
  private confirmed: { source: ModelSource; image: unknown } | null = null;

  constructor(
    private readonly store: Store,
    private readonly tasks: TaskQueue,
    /** A model was loaded (the timings of the previous one no longer apply). */
    private readonly modelChanged: () => void,
  ) {
    this.features = new FeatureMaps(() => void this.tasks.run('Feature maps', ANCHOR, (ctx) => this.refresh(ctx)));
    const zoo = $<HTMLSelectElement>('zoo-model');
    zoo.append(
      ...listModels().map((m) =>
        element('option', {
          value: m.name,
          textContent: `${m.name} (${m.task}, ${(m.trainableParams / 1e6).toFixed(2)} M)`,
        }),
      ),
    );
    zoo.value = 'mnist-wavemix-lite-8-10';
    $('zoo-create').addEventListener('click', () =>
      this.load('Creating the model', 'zoo-source', () =>
        fromZoo(zoo.value, $<HTMLInputElement>('zoo-overrides').value),
      ),
    );
    $<HTMLInputElement>('model-files').addEventListener('change', (event) => {
      const files = [...((event.target as HTMLInputElement).files ?? [])];
      if (files.length) this.load('Loading the model', 'folder-source', () => fromTrainerFolder(files));
    });
    $('bundled-model').addEventListener('click', () =>
      this.load('Loading the bundled model', 'folder-source', () =>
        fromUrl(new URL(BUNDLED_MODEL_URL, location.href).href, 'bundled tiny MNIST classifier (trained)'),
      ),
    );
    $('pytorch-load').addEventListener('click', () => {
      const weights = $<HTMLInputElement>('pytorch-weights').files?.[0];
      const config = $<HTMLInputElement>('pytorch-config').files?.[0];
      this.load('Loading PyTorch weights', 'pytorch-source', () => {
        if (!weights || !config)
          throw new ViewerInputError(
            "choose a .safetensors or .pth file and its config (.json, e.g. the trainer's model-config.json)",
          );
        return fromPyTorch(weights, config);
      });
    });
    const openOnnx = (file: File) =>
      this.load('Opening the ONNX model', 'onnx-source', () =>
        fromOnnx(file, $<HTMLSelectElement>('onnx-provider').value as OnnxProvider),
      );
    $<HTMLInputElement>('onnx-file').addEventListener('change', (event) => {
      const file = (event.target as HTMLInputElement).files?.[0];
      if (file) openOnnx(file);
    });
    const onnxDrop = $('onnx-source');
    onnxDrop.addEventListener('dragover', (event) => event.preventDefault());
    onnxDrop.addEventListener('drop', (event) => {
      event.preventDefault();
      const file = event.dataTransfer?.files[0];
      if (file) openOnnx(file);
    });
    $('run-anyway').addEventListener('click', () => {
      if (this.store.model) this.confirmed = { source: this.store.model.source, image: this.store.image };
      void this.tasks.run('Running the model', ANCHOR, (ctx) => this.refresh(ctx));
    });
  }

  /** A model made elsewhere in the page (the Train panel); `reload` builds it again on the active backend. */
  useModel(label: string, reload: () => Promise<Predictor>): void {
    this.load('Loading the trained model', ANCHOR, async () => ({
      source: { kind: 'trained', label, reload },
      predictor: await reload(),
      warnings: [],
    }));
  }

  private load(label: string, anchor: string, loader: () => Promise<Loaded>): void {
    void this.tasks.run(label, anchor, async (ctx) => {
      clearMessages(anchor);
      await ctx.step('reading the weights');
      const loaded = await loader();
      for (const warning of loaded.warnings) showMessage(anchor, warning, 'warning');
      this.setModel({ source: loaded.source, predictor: loaded.predictor }, false);
      this.modelChanged();
      await this.refresh(ctx);
    });
  }

  private setModel(model: LoadedModel, reloaded: boolean): void {
    const previous = this.store.model;
    if (previous && previous.predictor !== model.predictor) disposePredictor(previous.predictor);
    this.store.model = model;
    const { predictor, source } = model;
    const { config, classNames } = predictor.metadata;
    const size = config.inputSize
      ? `${config.inputSize[0]}×${config.inputSize[1]}`
      : `any size divisible by ${inputDivisor(config).divisor}`;
    $('model-info').textContent =
      `${source.label}: ${config.task}, ${parameterCount(model).toLocaleString('en')} parameters, input ${size}, ` +
      `${config.inChannels} channel${config.inChannels > 1 ? 's' : ''}${classNames ? `, ${classNames.length} classes` : ''}` +
      `${source.engine ? `; runs on ${source.engine}` : ''}.`;
    $('model-info').dataset['task'] = config.task;
    $('model-info').dataset['engine'] = source.engine ?? 'tfjs';
    this.features.populate(layersModelOf(predictor), reloaded);
  }

  /** Rebuilds the model on the new backend from its source (the old backend's copy may be gone). */
  async backendChanged(ctx: TaskContext): Promise<void> {
    const model = this.store.model;
    if (!model) return;
    await ctx.step('reloading the model weights');
    this.setModel({ source: model.source, predictor: await model.source.reload() }, true);
  }

  /** Runs the model once on the image and shows the result, then the feature maps. */
  async refresh(ctx: TaskContext): Promise<void> {
    const model = this.store.model;
    const image = this.store.image;
    this.outputs.clear();
    this.features.clear();
    $('large-run').hidden = true;
    if (!model || !image) return;
    const predictor = model.predictor;
    const { config } = predictor.metadata;
    const { divisor } = inputDivisor(config);
    const sr = config.task === 'sisr' || config.task === 'wavemix-sr';
    const { resizedWidth: width, resizedHeight: height } = image.plan;
    const size = sr
      ? { width: Math.floor(width / 2), height: Math.floor(height / 2), resized: true }
      : modelInputSize(config.inputSize, divisor, width, height);
    const warning = largeRunWarning(
      parameterCount(model),
      size.width,
      size.height,
      this.store.backend ?? 'this backend',
    );
    if (warning && !(this.confirmed?.source === model.source && this.confirmed.image === image)) {
      $('large-run-text').textContent = warning;
      $('large-run').hidden = false;
      return;
    }
    await ctx.step('first pass');
    if (sr) {
      const lrImage = await this.outputs.superResolve(predictor, image, divisor);
      this.modelInput = { width: lrImage.width, height: lrImage.height, resized: true };
      await ctx.step('feature maps');
      const input = tf.tidy(() => predictor.preprocess(lrImage));
      try {
        await this.features.render(predictor, input);
      } finally {
        input.dispose();
      }
      return;
    }
    this.modelInput = size;
    const input = this.modelImage(predictor, image, size);
    try {
      if (config.task === 'classification')
        await this.outputs.classify(predictor, input, Math.min(5, config.numClasses ?? 5));
      else await this.outputs.segment(predictor, input);
      await ctx.step('feature maps');
      await this.features.render(predictor, input);
    } finally {
      input.dispose();
    }
    const note = size.resized
      ? `the image was resized to ${size.width}×${size.height} for the model`
      : `the image was given to the model at its own size (${size.width}×${size.height})`;
    $('model-info').dataset['input'] = `${size.width}x${size.height}`;
    $('model-info').title = note;
    $('model-input-note').textContent = `Model input: ${note}.`;
  }

  /** The image as the model takes it ([h, w, 3] in 0..255), resized when the model needs another size. */
  modelImage(
    predictor: Predictor,
    image: NonNullable<Store['image']>,
    size: { width: number; height: number; resized: boolean },
  ): tf.Tensor3D {
    const { resizedWidth: width, resizedHeight: height } = image.plan;
    return tf.tidy(() => {
      const t = rgbaToTensor(image.rgba, width, height);
      return size.resized && !predictor.metadata.config.inputSize
        ? tf.image.resizeBilinear(t, [size.height, size.width], false, true)
        : t;
    });
  }

  /** The preprocessed input of the last run, [1, h, w, c], for timing (null without a model or image). */
  timingInput(): tf.Tensor4D | null {
    const model = this.store.model;
    const image = this.store.image;
    if (!model || !image || !this.modelInput) return null;
    const { predictor } = model;
    const { width, height } = this.modelInput;
    return tf.tidy(() => {
      const t = rgbaToTensor(image.rgba, image.plan.resizedWidth, image.plan.resizedHeight);
      const sized =
        t.shape[0] === height && t.shape[1] === width ? t : tf.image.resizeBilinear(t, [height, width], false, true);
      return predictor.preprocess(sized) as tf.Tensor4D;
    });
  }

  debug(): Record<string, (...args: never[]) => unknown> {
    return {
      ...this.outputs.debug(),
      modelInput: () => this.modelInput,
      features: () => this.features.shape && { layer: this.features.layer, shape: this.features.shape },
      modelSource: () => this.store.model?.source.label ?? null,
    };
  }
}

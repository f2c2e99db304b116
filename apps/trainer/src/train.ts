/**
 * The training engine behind `wavemix-train`: builds the model and data pipelines from a validated
 * config, trains with AdamW / SGD / the official dual-optimizer recipe, evaluates every epoch,
 * checkpoints atomically (periodically, at epoch ends, on SIGINT), resumes exactly, and writes the
 * final metrics, report and exports.
 */
import { existsSync, mkdirSync, readFileSync, appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '@wavemix/core/node';
import { DataParallel, type LossName } from '@wavemix/parallel';
import {
  createPipeline,
  disposeBatch,
  limitDataset,
  splitDataset,
  type Rng,
  type AugmentOptions,
  type Dataset,
  type DataPipeline,
} from '@wavemix/datasets';
import {
  AdamW,
  countTrainableParams,
  createModel,
  getModelInfo,
  getWaveMixMetadata,
  resolveConfig,
  setWaveMixMetadata,
  SgdMomentum,
  type WaveMixConfig,
} from '@wavemix/models';
import { selectBackend } from './backend';
import {
  readCheckpoint,
  restoreModelWeights,
  restoreOptimizer,
  saveCheckpoint,
  type Phase,
  type TrainState,
} from './checkpoint';
import { computationalConfig, configHash, describeConfigDifferences, type TrainConfig } from './config';
import { loadTrainerDataset } from './data';
import { DivergenceError, UsageError } from './errors';
import { evaluate, type Evaluation } from './evaluate';
import { exportModel } from './export';

import type { Progress } from './progress';
import { writeReport } from './report';
import { installSeededMathRandom, restoreMathRandom } from './rng';
import {
  classificationLoss,
  correctCount,
  learningRateAt,
  segmentationLoss,
  superResolutionLoss,
} from '@wavemix/models/training';
import { toModelColorSpace, type TrainerTask } from './tasks';

export interface RunPaths {
  output: string;
  checkpoints: string;
  last: string;
  best: string;
  metrics: string;
  final: string;
  config: string;
}

export function runPaths(output: string): RunPaths {
  const root = resolve(output);
  const checkpoints = join(root, 'checkpoints');
  return {
    output: root,
    checkpoints,
    last: join(checkpoints, 'last.safetensors'),
    best: join(checkpoints, 'best.safetensors'),
    metrics: join(root, 'metrics.jsonl'),
    final: join(root, 'final.json'),
    config: join(root, 'config.json'),
  };
}

export interface FinalResult {
  model: string;
  dataset: string;
  task: TrainerTask;
  backend: string;
  /** Data-parallel worker threads the training used (0: the main thread alone). */
  workers: number;
  seed: number;
  epochs: number;
  steps: number;
  seconds: number;
  trainableParams: number;
  stoppedBy: 'epochs' | 'early-stopping' | 'time-limit' | 'eval-only';
  testAccuracy?: number;
  testTop5Accuracy?: number;
  expectedCalibrationError?: number;
  meanIoU?: number;
  pixelAccuracy?: number;
  psnr?: number;
  ssim?: number;
  bestValidationMetric: number | null;
  bestEpoch: number | null;
  testExamples: number;
}

interface Interrupt {
  requested: boolean;
}

/** Model config for a dataset: a zoo entry or inline config, completed with the data's shape and classes. */
export function modelConfigFor(config: TrainConfig, data: Dataset): { name: string; modelConfig: WaveMixConfig } {
  const base: WaveMixConfig =
    typeof config.model === 'string' ? { ...getModelInfo(config.model).config } : ({ ...config.model } as unknown as WaveMixConfig);
  const name = typeof config.model === 'string' ? config.model : `custom-${base.task}`;
  const shape = data.imageShape;
  if (!shape) throw new UsageError(`${data.name} images vary in size; the trainer needs a fixed size`);
  const expected: TrainerTask = base.task === 'classification' ? 'classification' : base.task === 'segmentation' ? 'segmentation' : 'super-resolution';
  if (expected !== data.task) {
    throw new UsageError(`model ${name} is a ${base.task} model but dataset ${data.name} is for ${data.task}`);
  }
  const modelConfig: WaveMixConfig = { ...base, inChannels: base.task === 'wavemix-sr' ? 3 : shape[2] };
  if (base.task === 'classification' || base.task === 'segmentation') {
    modelConfig.numClasses = data.numClasses;
    modelConfig.inputSize = [shape[0], shape[1]];
  }
  try {
    resolveConfig(modelConfig);
  } catch (error) {
    throw new UsageError(`model ${name} cannot take ${data.name} (${shape.join('x')}): ${(error as Error).message}`);
  }
  return { name, modelConfig };
}

export class TrainingRun {
  private readonly paths: RunPaths;
  private model!: tf.LayersModel;
  private optimizer!: AdamW | SgdMomentum;
  private rng!: Rng;
  private state!: TrainState;
  private trainPipeline!: DataPipeline;
  private readonly interrupt: Interrupt = { requested: false };
  private task!: TrainerTask;
  private ignoreIndex: number | undefined;
  private ycbcr = false;
  private backend = '';
  private started = 0;
  private lastCheckpointTime = 0;
  /** Worker threads computing shards of each batch (null: the main thread does all). */
  private parallel: DataParallel | null = null;
  private workersUsed = 0;

  constructor(
    private readonly config: TrainConfig,
    private readonly progress: Progress,
  ) {
    this.paths = runPaths(config.output);
  }

  /** Asks the run to checkpoint and stop at the next step boundary (SIGINT). */
  requestStop(): void {
    this.interrupt.requested = true;
  }

  async run(): Promise<FinalResult> {
    const { config, paths } = this;
    this.backend = await selectBackend(config.backend);
    mkdirSync(paths.checkpoints, { recursive: true });

    const resumeFrom = this.findResumeCheckpoint();
    const checkpoint = resumeFrom ? readCheckpoint(resumeFrom) : null;
    if (checkpoint) {
      const differences = describeConfigDifferences(checkpoint.state.config, config);
      if (differences.length) {
        throw new UsageError(
          `cannot resume ${resumeFrom}: the configuration differs from the checkpoint's:\n  ${differences.join('\n  ')}\n` +
            `(resume with the original settings, or start a new run with another --output)`,
        );
      }
    }

    this.rng = installSeededMathRandom(checkpoint ? checkpoint.state.rng : config.seed);
    try {
      return await this.runWithData(checkpoint);
    } finally {
      restoreMathRandom();
    }
  }

  private findResumeCheckpoint(): string | null {
    const { config, paths } = this;
    if (config.resume) {
      const last = runPaths(config.resume).last;
      if (!existsSync(last)) throw new UsageError(`--resume ${config.resume}: no checkpoint at ${last}`);
      return last;
    }
    // An existing run in the output folder is continued (same config) or refused (different
    // config), never overwritten.
    return existsSync(paths.last) ? paths.last : null;
  }

  private async runWithData(checkpoint: ReturnType<typeof readCheckpoint> | null): Promise<FinalResult> {
    const { config, paths } = this;
    const trainData = await loadTrainerDataset(config, 'train');
    const testData = await loadTrainerDataset(config, 'test');
    const { name, modelConfig } = modelConfigFor(config, trainData);
    this.task = trainData.task;
    this.ignoreIndex = trainData.task === 'segmentation' ? (trainData.ignoreIndex ?? 255) : undefined;
    this.ycbcr = modelConfig.task === 'wavemix-sr';

    const split =
      config.valFraction > 0 && !config.evalOnly
        ? splitDataset(trainData, { validationFraction: config.valFraction, seed: config.seed })
        : { train: trainData, validation: null };
    const trainSet = config.limitTrain ? limitDataset(split.train, config.limitTrain) : split.train;
    const validationSet =
      split.validation && config.limitTrain
        ? limitDataset(split.validation, Math.max(1, Math.round(config.limitTrain * config.valFraction)))
        : split.validation;
    const testSet = config.limitTest ? limitDataset(testData, config.limitTest) : testData;

    this.model = createModel(modelConfig);
    this.describeTrainingData(name, trainData);
    const trainableParams = countTrainableParams(this.model);
    writeFileAtomic(paths.config, JSON.stringify({ ...config, modelConfig, trainableParams }, null, 2));

    const augment = config.augment === 'none' ? false : augmentOptions(config.augment);
    this.trainPipeline = createPipeline(trainSet, {
      batchSize: config.batchSize,
      seed: config.seed,
      shuffle: true,
      augment,
      state: checkpoint?.state.pipeline ?? undefined,
    });

    this.state = checkpoint?.state ?? {
      configHash: configHash(config),
      config: computationalConfig(config),
      epoch: 0,
      step: 0,
      pipeline: null,
      rng: this.rng.state(),
      phase: config.opt === 'sgd' ? 'sgd' : 'adamw',
      phaseStartEpoch: 0,
      bestMetric: null,
      bestEpoch: null,
      epochsWithoutImprovement: 0,
      elapsedSeconds: 0,
      finished: false,
    };
    this.optimizer = this.makeOptimizer(this.state.phase);
    if (checkpoint) {
      restoreModelWeights(this.model, checkpoint.model, paths.last);
      await restoreOptimizer(this.optimizer, this.model, checkpoint.optimizer);
      this.progress.log(
        `resuming ${paths.output} at epoch ${this.state.epoch + 1}, step ${this.state.step} (${this.state.phase})`,
      );
    }
    this.progress.log(
      `model ${name} (${trainableParams.toLocaleString('en-US')} trainable parameters) on ${trainData.name}: ` +
        `${trainSet.size} train / ${validationSet?.size ?? 0} validation / ${testSet.size} test, backend ${this.backend}`,
    );

    this.started = performance.now() - this.state.elapsedSeconds * 1000;
    // A fresh run checkpoints its initial state, so there is always a last good checkpoint.
    if (!checkpoint && !config.evalOnly) await this.checkpoint();
    this.lastCheckpointTime = performance.now();
    let stoppedBy: FinalResult['stoppedBy'] = config.evalOnly ? 'eval-only' : 'epochs';
    try {
      if (!config.evalOnly && !this.state.finished) {
        this.parallel = await this.startWorkers();
        stoppedBy = await this.trainEpochs(validationSet);
      }
    } finally {
      await this.trainPipeline.dispose();
      await this.parallel?.dispose();
      this.parallel = null;
    }
    if (this.interrupt.requested) {
      await this.checkpoint();
      throw new InterruptedError(paths.last);
    }

    if (!config.evalOnly) {
      this.state.finished = true;
      await this.checkpoint();
    }
    // Test with the weights that scored best on validation, as the official recipe does (also
    // for --eval-only of a trained run); without validation, the last weights.
    if (existsSync(paths.best)) restoreModelWeights(this.model, readCheckpoint(paths.best).model, paths.best);
    const test = await this.evaluateOn(testSet, { report: true });
    const result = this.finalResult(name, trainableParams, stoppedBy, test, testSet.size);
    writeFileAtomic(paths.final, `${JSON.stringify(result, null, 2)}\n`);
    this.appendMetrics({ type: 'test', ...test.metrics });
    await writeReport(paths.output, test, testSet, this.task);
    await exportModel(this.model, paths.output, { modelConfig, name });
    this.progress.log(`${formatFinal(result)}\nwrote ${paths.final}`);
    this.model.dispose();
    this.optimizer.dispose();
    return result;
  }

  /**
   * Exported models carry what inference needs: the normalisation the pipeline applied (pixels
   * scaled to [0, 1], then the dataset's mean/std; super-resolution is not normalised) and the
   * class names.
   */
  private describeTrainingData(name: string, data: Dataset): void {
    const metadata = getWaveMixMetadata(this.model);
    if (!metadata) return;
    const normalised = data.task !== 'super-resolution';
    setWaveMixMetadata(this.model, {
      ...metadata,
      name,
      preprocessing: normalised ? { ...metadata.preprocessing, mean: [...data.mean], std: [...data.std] } : metadata.preprocessing,
      ...(data.classNames.length ? { classNames: [...data.classNames] } : {}),
    });
  }

  /**
   * Data-parallel workers for `config.workers` > 0 on wasm. Their loss is chosen by name (functions
   * cannot cross threads); segmentation's ignore-index loss has no such form, so it stays on the
   * main thread.
   */
  private async startWorkers(): Promise<DataParallel | null> {
    const { workers } = this.config;
    if (workers === 0) return null;
    const loss: LossName | null =
      this.task === 'classification' ? 'sparseSoftmaxCrossEntropy' : this.task === 'super-resolution' ? 'meanAbsoluteError' : null;
    if (this.backend !== 'wasm' || loss === null) {
      this.progress.log(`--workers ${workers} ignored: data parallelism needs the wasm backend and a classification or super-resolution task`);
      return null;
    }
    const parallel = await DataParallel.create(this.model, { workers, loss });
    this.workersUsed = workers;
    this.progress.log(`training on ${parallel.threads} threads (data parallel, ${workers} worker${workers > 1 ? 's' : ''})`);
    return parallel;
  }

  private makeOptimizer(phase: Phase): AdamW | SgdMomentum {
    const { config } = this;
    if (phase === 'sgd') return new SgdMomentum({ learningRate: config.lr, momentum: config.momentum });
    return new AdamW({ learningRate: config.lr, weightDecay: config.weightDecay });
  }

  private async trainEpochs(validationSet: Dataset | null): Promise<FinalResult['stoppedBy']> {
    const { config, state } = this;
    const stepsPerEpoch = this.trainPipeline.batchesPerEpoch;
    const totalSteps = config.epochs * stepsPerEpoch;
    const warmupSteps = Math.round(config.warmupEpochs * stepsPerEpoch);
    const variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const deadline = config.timeLimitMinutes ? this.started + config.timeLimitMinutes * 60_000 : Infinity;

    while (state.epoch < config.epochs) {
      const epoch = state.epoch;
      const startPosition = this.trainPipeline.position;
      const firstStep = Math.floor(startPosition / config.batchSize);
      this.progress.startEpoch(epoch, config.epochs, stepsPerEpoch, firstStep);
      let stepInEpoch = firstStep;
      let lossSum = 0;
      let correctSum = 0;
      let seen = 0;
      let labelled = 0;
      let windowStart = performance.now();
      let windowImages = 0;
      for await (const batch of this.trainPipeline.epochBatches()) {
        const lr = learningRateAt(state.step, { name: config.sched, baseLr: config.lr, totalSteps, warmupSteps });
        this.optimizer.learningRate = lr;
        const { loss, correct, count } = this.parallel
          ? await this.parallelTrainStep(batch.xs, batch.ys, this.parallel)
          : this.trainStep(batch.xs, batch.ys, variables);
        disposeBatch(batch);
        if (!Number.isFinite(loss)) {
          throw new DivergenceError(
            `loss became ${loss} at step ${state.step + 1} (epoch ${epoch + 1}, batch ${stepInEpoch + 1}, learning rate ${lr}); ` +
              `the last good checkpoint is kept at ${this.paths.last}. Lower --lr or check the data.`,
          );
        }
        state.step++;
        stepInEpoch++;
        lossSum += loss * batch.indices.length;
        seen += batch.indices.length;
        if (correct !== null) {
          correctSum += correct;
          labelled += count;
        }
        windowImages += batch.indices.length;
        const now = performance.now();
        const imagesPerSecond = (windowImages * 1000) / Math.max(1, now - windowStart);
        if (now - windowStart > 5000) {
          windowStart = now;
          windowImages = 0;
        }
        this.progress.update({
          epoch,
          epochs: config.epochs,
          step: stepInEpoch,
          steps: stepsPerEpoch,
          loss,
          accuracy: correct === null ? null : correct / count,
          imagesPerSecond,
          phase: state.phase,
        });
        if (state.step % config.logEvery === 0) {
          this.appendMetrics({ type: 'step', epoch: epoch + 1, step: state.step, loss, lr, imagesPerSecond, phase: state.phase });
        }
        // Batches often resolve as microtasks only; yield a macrotask turn so SIGINT handlers and
        // timers get to run during training.
        await new Promise((resolve) => setImmediate(resolve));
        if (this.interrupt.requested) return 'epochs';
        if (now > deadline) {
          this.progress.endEpoch();
          this.progress.log(`time limit of ${config.timeLimitMinutes} min reached at step ${state.step}`);
          await this.endOfEpoch(epoch, validationSet, { loss: lossSum / seen, accuracy: labelled ? correctSum / labelled : null });
          return 'time-limit';
        }
        if (now - this.lastCheckpointTime > config.checkpointEverySeconds * 1000 && this.trainPipeline.epoch === epoch) {
          await this.checkpoint();
        }
      }
      this.progress.endEpoch();
      const stop = await this.endOfEpoch(epoch, validationSet, {
        loss: lossSum / Math.max(1, seen),
        accuracy: labelled ? correctSum / labelled : null,
      });
      if (stop) return 'early-stopping';
    }
    return 'epochs';
  }

  /** One optimizer step; returns the loss and (classification/segmentation) the correct count. */
  private trainStep(
    xs: tf.Tensor4D,
    ys: tf.Tensor,
    variables: tf.Variable[],
  ): { loss: number; correct: number | null; count: number } {
    let correctTensor: tf.Scalar | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const input = toModelColorSpace(xs, this.ycbcr);
      const output = this.model.apply(input, { training: true }) as tf.Tensor;
      if (this.task === 'super-resolution') return superResolutionLoss(output, toModelColorSpace(ys as tf.Tensor4D, this.ycbcr));
      correctTensor = tf.keep(correctCount(output, ys, this.ignoreIndex));
      return this.task === 'classification' ? classificationLoss(output, ys) : segmentationLoss(output, ys, this.ignoreIndex ?? 255);
    }, variables);
    this.optimizer.applyGradients(grads);
    const loss = value.dataSync()[0]!;
    const correct = correctTensor === null ? null : (correctTensor as tf.Scalar).dataSync()[0]!;
    const count =
      this.task === 'segmentation' && this.ignoreIndex !== undefined
        ? tf.tidy(() => tf.sum(tf.cast(tf.notEqual(ys, this.ignoreIndex!), 'float32')).dataSync()[0]!)
        : ys.shape[0]!;
    tf.dispose([value, correctTensor ?? [], ...Object.values(grads)]);
    return { loss, correct, count };
  }

  /** `trainStep` with the batch split across the main thread and the workers. */
  private async parallelTrainStep(
    xs: tf.Tensor4D,
    ys: tf.Tensor,
    parallel: DataParallel,
  ): Promise<{ loss: number; correct: number | null; count: number }> {
    const input = toModelColorSpace(xs, this.ycbcr);
    const target = this.task === 'super-resolution' ? toModelColorSpace(ys as tf.Tensor4D, this.ycbcr) : ys;
    try {
      const { value, grads, correct } = await parallel.valueAndGrads(input, target);
      this.optimizer.applyGradients(grads);
      const loss = value.dataSync()[0]!;
      tf.dispose([value, ...Object.values(grads)]);
      return { loss, correct, count: ys.shape[0]! };
    } finally {
      if (input !== xs) input.dispose();
      if (target !== ys) target.dispose();
    }
  }

  /** Validation, best-checkpoint bookkeeping, patience and the dualopt phase switch. */
  private async endOfEpoch(
    epoch: number,
    validationSet: Dataset | null,
    train: { loss: number; accuracy: number | null },
  ): Promise<boolean> {
    const { config, state } = this;
    const trainedPhase = state.phase;
    state.epoch = epoch + 1;
    let stop = false;
    let validation: Evaluation | null = null;
    if (validationSet) {
      validation = await this.evaluateOn(validationSet, { report: false });
      const metric = validation.primary;
      if (state.bestMetric === null || metric > state.bestMetric) {
        state.bestMetric = metric;
        state.bestEpoch = epoch + 1;
        state.epochsWithoutImprovement = 0;
        await saveCheckpoint(this.paths.best, this.model, this.optimizer, { ...state, rng: this.rng.state() });
      } else {
        state.epochsWithoutImprovement++;
      }
      if (state.epochsWithoutImprovement >= config.patience) {
        if (config.opt === 'dualopt' && state.phase === 'adamw') {
          // Official recipe: reload the best weights and continue with SGD under the same rule.
          restoreModelWeights(this.model, readCheckpoint(this.paths.best).model, this.paths.best);
          this.optimizer.dispose();
          state.phase = 'sgd';
          state.phaseStartEpoch = epoch + 1;
          state.epochsWithoutImprovement = 0;
          this.optimizer = this.makeOptimizer('sgd');
          this.progress.log(`dualopt: no improvement for ${config.patience} epochs; best weights reloaded, switching to SGD`);
        } else {
          stop = true;
          this.progress.log(`early stopping: no improvement for ${config.patience} epochs`);
        }
      }
    }
    const seconds = (performance.now() - this.started) / 1000;
    const record = {
      type: 'epoch',
      epoch: epoch + 1,
      step: state.step,
      phase: trainedPhase,
      trainLoss: train.loss,
      trainAccuracy: train.accuracy,
      ...(validation ? prefixKeys('val', validation.metrics) : {}),
      bestMetric: state.bestMetric,
      seconds,
    };
    this.appendMetrics(record);
    this.progress.log(
      `epoch ${epoch + 1}: train loss ${train.loss.toFixed(4)}` +
        (train.accuracy === null ? '' : ` acc ${train.accuracy.toFixed(4)}`) +
        (validation ? `, validation ${validation.summary}` : '') +
        ` (${seconds.toFixed(0)} s)`,
    );
    await this.checkpoint();
    return stop;
  }

  private async evaluateOn(data: Dataset, options: { report: boolean }): Promise<Evaluation> {
    return evaluate(this.model, data, {
      task: this.task,
      batchSize: this.config.evalBatchSize ?? Math.max(this.config.batchSize, 64),
      ignoreIndex: this.ignoreIndex,
      ycbcr: this.ycbcr,
      worst: options.report ? this.config.reportWorst : 0,
      seed: this.config.seed,
    });
  }

  private async checkpoint(): Promise<void> {
    // Never replace the last good checkpoint with weights an update has already made non-finite.
    const bad = this.model.weights.find((w) => tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(w.read()))).dataSync()[0]));
    if (bad) {
      throw new DivergenceError(
        `weight ${bad.originalName} became non-finite by step ${this.state.step}; the last good checkpoint is kept at ${this.paths.last}. Lower --lr or check the data.`,
      );
    }
    this.state.pipeline = this.trainPipeline.state();
    this.state.rng = this.rng.state();
    this.state.elapsedSeconds = (performance.now() - this.started) / 1000;
    await saveCheckpoint(this.paths.last, this.model, this.optimizer, this.state);
    this.lastCheckpointTime = performance.now();
  }

  private appendMetrics(record: Record<string, unknown>): void {
    appendFileSync(this.paths.metrics, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
  }

  private finalResult(
    name: string,
    trainableParams: number,
    stoppedBy: FinalResult['stoppedBy'],
    test: Evaluation,
    testExamples: number,
  ): FinalResult {
    const { config, state } = this;
    return {
      model: name,
      dataset: config.dataset,
      task: this.task,
      backend: this.backend,
      workers: this.workersUsed,
      seed: config.seed,
      epochs: state.epoch,
      steps: state.step,
      seconds: Math.round(state.elapsedSeconds * 10) / 10,
      trainableParams,
      stoppedBy,
      testAccuracy: test.metrics.accuracy,
      testTop5Accuracy: test.metrics.top5Accuracy,
      expectedCalibrationError: test.metrics.expectedCalibrationError,
      meanIoU: test.metrics.meanIoU,
      pixelAccuracy: test.metrics.pixelAccuracy,
      psnr: test.metrics.psnr,
      ssim: test.metrics.ssim,
      bestValidationMetric: state.bestMetric,
      bestEpoch: state.bestEpoch,
      testExamples,
    };
  }
}

/** The run stopped on request (SIGINT) after saving a checkpoint. */
export class InterruptedError extends Error {
  constructor(readonly checkpoint: string) {
    super(`interrupted; checkpoint saved to ${checkpoint}. Continue with --resume.`);
    this.name = 'InterruptedError';
  }
}

function augmentOptions(kind: Exclude<TrainConfig['augment'], 'none'>): AugmentOptions {
  if (kind === 'flip') return { horizontalFlip: true };
  if (kind === 'crop-flip') return { randomCrop: { padding: 4 }, horizontalFlip: true };
  return { randomCrop: { padding: 4 }, horizontalFlip: true, trivialAugment: true };
}

function prefixKeys(prefix: string, values: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) out[`${prefix}${key[0]!.toUpperCase()}${key.slice(1)}`] = value;
  return out;
}

function formatFinal(result: FinalResult): string {
  const metric =
    result.testAccuracy !== undefined
      ? `test accuracy ${(result.testAccuracy * 100).toFixed(2)} %`
      : result.meanIoU !== undefined
        ? `test mIoU ${(result.meanIoU * 100).toFixed(2)} %`
        : `test PSNR ${result.psnr?.toFixed(2)} dB, SSIM ${result.ssim?.toFixed(4)}`;
  return `${result.model} on ${result.dataset}: ${metric} after ${result.epochs} epochs (${result.steps} steps, ${result.seconds} s, ${result.backend})`;
}

/** Reads a finished run's final.json (used by tests and --eval-only reporting). */
export function readFinal(output: string): FinalResult {
  return JSON.parse(readFileSync(runPaths(output).final, 'utf8')) as FinalResult;
}

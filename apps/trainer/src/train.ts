/**
 * The training engine behind `wavemix-train`: builds the model and data pipelines from a validated
 * config, trains with AdamW / SGD / the official dual-optimizer recipe, evaluates every epoch,
 * checkpoints atomically (periodically, at epoch ends, on SIGINT), resumes exactly, and writes the
 * final metrics, report and exports. This class only orchestrates; the parts live beside it:
 * StepRunner (one optimizer step, single or data-parallel), afterValidation (the plateau/dualopt
 * policy), RunLog (metrics.jsonl, epoch totals, throughput), RunCheckpoints (last/previous/best),
 * model_setup (model config, data splits, optimizer).
 */
import type * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '@wavemix/core/node';
import { createPipeline, disposeBatch, type Dataset, type DataPipeline, type Rng } from '@wavemix/datasets';
import { countTrainableParams, createModel, YCBCR_TASKS } from '@wavemix/models';
import { learningRateAt } from '@wavemix/models/training';
import { GPU_BACKENDS, selectBackend } from './backend';
import { initialTrainState, restoreModelWeights, restoreOptimizer, type TrainState } from './checkpoint';
import { describeConfigDifferences, type TrainConfig } from './config';
import { loadTrainerDataset } from './data';
import { DivergenceError, InterruptedError, UsageError } from './errors';
import { evaluate, type Evaluation } from './evaluate';
import { exportModel } from './export';
import { finalResult, formatFinal, type FinalResult } from './final_result';
import {
  augmentOptions,
  describeTrainingData,
  makeOptimizer,
  modelConfigFor,
  runSplits,
  type TrainingOptimizer,
} from './model_setup';
import { afterValidation, type Phase } from './plateau_policy';
import type { Progress } from './progress';
import { writeReport } from './report';
import { installSeededMathRandom, restoreMathRandom } from './rng';
import { RunCheckpoints, type ResumeCheckpoint } from './run_checkpoints';
import { ensureWritable, runPaths, writingTo, type RunPaths } from './run_folder';
import { EpochTotals, prefixKeys, rewindMetrics, RunLog, Throughput } from './run_log';
import { appendBenchmarkReport, benchmarkRequest, evaluateBenchmark } from './sr_benchmark_eval';
import { StepRunner, type StepResult } from './step_runner';
import type { TrainerTask } from './tasks';

/** A step whose loss is still on the device, with what its metrics record needs. */
interface UnreadStep {
  epoch: number;
  step: number;
  stepInEpoch: number;
  lr: number;
  images: number;
  phase: Phase;
}

export class TrainingRun {
  private readonly paths: RunPaths;
  private readonly checkpoints: RunCheckpoints;
  private readonly log: RunLog;
  private model!: tf.LayersModel;
  private optimizer!: TrainingOptimizer;
  private rng!: Rng;
  private state!: TrainState;
  private trainPipeline!: DataPipeline;
  private steps!: StepRunner;
  private interrupted = false;
  private task!: TrainerTask;
  private ignoreIndex: number | undefined;
  private ycbcr = false;
  private backend = '';
  /** The GPU adapter webgpu runs on, described (null on other backends). */
  private gpuAdapter: string | null = null;
  /** Steps run whose loss is not read yet (GPU backends read every `lossReadEvery` steps). */
  private unread: UnreadStep[] = [];
  private started = 0;
  private lastCheckpointTime = 0;
  /** Data-parallel worker threads the training used. */
  private workersUsed = 0;

  constructor(
    private readonly config: TrainConfig,
    private readonly progress: Progress,
  ) {
    this.paths = runPaths(config.output);
    this.checkpoints = new RunCheckpoints(this.paths);
    this.log = new RunLog(this.paths.metrics);
  }

  /** Asks the run to checkpoint and stop at the next step boundary (SIGINT). */
  requestStop(): void {
    this.interrupted = true;
  }

  async run(): Promise<FinalResult> {
    const { config } = this;
    const selected = await selectBackend(config.backend, config);
    this.backend = selected.name;
    this.gpuAdapter = selected.adapter;
    if (selected.adapter) this.progress.log(`webgpu adapter: ${selected.adapter}`);
    ensureWritable(this.paths);
    const resume = this.checkpoints.findResume(config, (message) => this.progress.log(message));
    if (resume) {
      const differences = describeConfigDifferences(resume.checkpoint.state.config, config);
      if (differences.length) {
        throw new UsageError(
          `cannot resume ${resume.path}: the configuration differs from the checkpoint's:\n  ${differences.join('\n  ')}\n` +
            `(resume with the original settings, or start a new run with another --output)`,
        );
      }
    }
    const from = resume?.checkpoint.state ?? { step: 0, epoch: 0, finished: false };
    for (const note of rewindMetrics(this.paths.metrics, from)) this.progress.log(`${this.paths.metrics}: ${note}`);
    this.rng = installSeededMathRandom(resume ? resume.checkpoint.state.rng : config.seed);
    try {
      return await this.runWithData(resume ?? null);
    } finally {
      restoreMathRandom();
    }
  }

  private async runWithData(resume: ResumeCheckpoint | null): Promise<FinalResult> {
    const { config, paths } = this;
    const checkpoint = resume?.checkpoint ?? null;
    const trainData = await loadTrainerDataset(config, 'train');
    const testData = await loadTrainerDataset(config, 'test');
    const { name, modelConfig } = modelConfigFor(config, trainData);
    this.task = trainData.task;
    this.ignoreIndex = trainData.task === 'segmentation' ? (trainData.ignoreIndex ?? 255) : undefined;
    this.ycbcr = YCBCR_TASKS.includes(modelConfig.task);
    const benchmark = benchmarkRequest(config, name, modelConfig);

    const { trainSet, validationSet, testSet } = runSplits(config, trainData, testData);

    this.model = createModel(modelConfig);
    describeTrainingData(this.model, name, trainData);
    const trainableParams = countTrainableParams(this.model);
    writingTo(paths.config, () =>
      writeFileAtomic(paths.config, JSON.stringify({ ...config, modelConfig, trainableParams }, null, 2)),
    );

    this.trainPipeline = createPipeline(trainSet, {
      batchSize: config.batchSize,
      seed: config.seed,
      shuffle: true,
      augment: augmentOptions(config.augment),
      state: checkpoint?.state.pipeline ?? undefined,
    });
    this.state = checkpoint?.state ?? initialTrainState(config, this.rng.state());
    this.optimizer = makeOptimizer(config, this.state.phase);
    if (checkpoint) {
      restoreModelWeights(this.model, checkpoint.model, resume!.path);
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
    const readEvery = GPU_BACKENDS.includes(this.backend) ? (config.lossReadEvery ?? 10) : 1;
    this.steps = new StepRunner(this.model, {
      task: this.task,
      ignoreIndex: this.ignoreIndex,
      ycbcr: this.ycbcr,
      loss: config.loss,
      readEvery,
    });
    let stoppedBy: FinalResult['stoppedBy'] = config.evalOnly ? 'eval-only' : 'epochs';
    try {
      if (!config.evalOnly && !this.state.finished) {
        await this.startWorkers();
        stoppedBy = await this.trainEpochs(validationSet);
      }
    } finally {
      await this.trainPipeline.dispose();
      await this.steps.dispose();
    }
    if (this.interrupted) {
      await this.checkpoint();
      throw new InterruptedError(paths.last);
    }
    if (!config.evalOnly) {
      // A --max-steps stop (short runs on slow backends) is not the end of the schedule: a resume
      // with a higher limit continues; the same limit trains no further step.
      this.state.finished = this.state.finished || stoppedBy !== 'max-steps';
      await this.checkpoint();
    }
    // Test with the weights that scored best on validation, as the official recipe does (also
    // for --eval-only of a trained run); without validation, or with testWeights 'last', the last.
    const testWeights = config.testWeights !== 'last' && this.checkpoints.hasBest() ? 'best' : 'last';
    if (testWeights === 'best') this.checkpoints.restoreBest(this.model);
    const test = await this.evaluateOn(testSet, { report: true });
    const benchmarkResult = benchmark ? await evaluateBenchmark(this.model, benchmark) : undefined;
    const run = {
      model: name,
      dataset: config.dataset,
      task: this.task,
      backend: this.backend,
      gpuAdapter: this.gpuAdapter,
      seed: config.seed,
    };
    const result: FinalResult = {
      ...finalResult(
        { ...run, workers: this.workersUsed, trainableParams, stoppedBy, testExamples: testSet.size, testWeights },
        // Epochs trained, the one a --max-steps or time-limit stop interrupted included.
        { ...this.state, epoch: this.state.epoch + ((this.state.pipeline?.position ?? 0) > 0 ? 1 : 0) },
        test,
      ),
      ...(benchmarkResult ? { benchmark: benchmarkResult } : {}),
    };
    writingTo(paths.final, () => writeFileAtomic(paths.final, `${JSON.stringify(result, null, 2)}\n`));
    this.log.append({ type: 'test', ...test.metrics });
    await writeReport(paths.output, test, testSet, this.task);
    if (benchmarkResult) appendBenchmarkReport(paths.output, benchmarkResult);
    await exportModel(this.model, paths.output, { modelConfig, name });
    this.progress.log(`${formatFinal(result)}\nwrote ${paths.final}`);
    this.model.dispose();
    this.optimizer.dispose();
    return result;
  }

  private async startWorkers(): Promise<void> {
    const { workers } = this.config;
    const ignored = await this.steps.startWorkers(workers, this.backend);
    if (ignored) this.progress.log(ignored);
    this.workersUsed = this.steps.workers;
    if (this.workersUsed) {
      this.progress.log(
        `training on ${this.workersUsed + 1} threads (data parallel, ${workers} worker${workers > 1 ? 's' : ''})`,
      );
    }
  }

  private async trainEpochs(validationSet: Dataset | null): Promise<FinalResult['stoppedBy']> {
    const { config, state } = this;
    const stepsPerEpoch = this.trainPipeline.batchesPerEpoch;
    const schedule = {
      name: config.sched,
      baseLr: config.lr,
      totalSteps: config.epochs * stepsPerEpoch,
      warmupSteps: Math.round(config.warmupEpochs * stepsPerEpoch),
    };
    const deadline = config.timeLimitMinutes ? this.started + config.timeLimitMinutes * 60_000 : Infinity;
    const maxSteps = config.maxSteps ?? Infinity;
    if (state.step >= maxSteps) return 'max-steps';

    while (state.epoch < config.epochs) {
      const epoch = state.epoch;
      let stepInEpoch = Math.floor(this.trainPipeline.position / config.batchSize);
      this.progress.startEpoch(epoch, config.epochs, stepsPerEpoch, stepInEpoch);
      const totals = new EpochTotals();
      const throughput = new Throughput();
      const settle = async () => this.record(await this.steps.flush(), totals, throughput, stepsPerEpoch);
      for await (const batch of this.trainPipeline.epochBatches()) {
        const lr = learningRateAt(state.step, schedule);
        this.optimizer.learningRate = lr;
        const images = batch.indices.length;
        const results = await this.steps.step(batch.xs, batch.ys, this.optimizer);
        disposeBatch(batch);
        state.step++;
        stepInEpoch++;
        const now = performance.now();
        this.unread.push({ epoch, step: state.step, stepInEpoch, lr, images, phase: state.phase });
        this.record(results, totals, throughput, stepsPerEpoch);
        // Batches often resolve as microtasks only; yield a macrotask turn so SIGINT handlers and
        // timers get to run during training.
        await new Promise((resolve) => setImmediate(resolve));
        if (this.interrupted || now > deadline || state.step >= maxSteps) await settle();
        if (this.interrupted) return 'epochs';
        // --max-steps first: when both limits fall on one step (a slow GPU against a preset's wasm
        // time budget), the run stays resumable rather than finished.
        if (state.step >= maxSteps) {
          this.progress.endEpoch();
          this.progress.log(`--max-steps ${maxSteps} reached`);
          await this.endOfEpoch(epoch, validationSet, totals.summary(), this.trainPipeline.epoch > epoch);
          return 'max-steps';
        }
        if (now > deadline) {
          this.progress.endEpoch();
          this.progress.log(`time limit of ${config.timeLimitMinutes} min reached at step ${state.step}`);
          await this.endOfEpoch(epoch, validationSet, totals.summary(), this.trainPipeline.epoch > epoch);
          return 'time-limit';
        }
        if (
          now - this.lastCheckpointTime > config.checkpointEverySeconds * 1000 &&
          this.trainPipeline.epoch === epoch
        ) {
          await settle();
          await this.checkpoint();
        }
      }
      await settle();
      this.progress.endEpoch();
      if (await this.endOfEpoch(epoch, validationSet, totals.summary())) return 'early-stopping';
    }
    return 'epochs';
  }

  /**
   * Books the read results of the oldest unread steps: the divergence check, epoch totals, the
   * progress line and metrics.jsonl step records (the same records whenever they are read).
   */
  private record(results: StepResult[], totals: EpochTotals, throughput: Throughput, stepsPerEpoch: number): void {
    const { config } = this;
    const steps = this.unread.splice(0, results.length);
    // Measured when the results are read, i.e. when the device has finished those steps (on GPU
    // backends the step calls return as soon as the work is queued); one rate for the steps read together.
    const now = performance.now();
    // Added as one batch: per step, the window could restart between steps read at the same instant
    // and divide their images by a 1 ms window (576,000 img/s printed on webgpu).
    const imagesPerSecond = throughput.add(
      steps.reduce((sum, step) => sum + step.images, 0),
      now,
    );
    results.forEach(({ loss, correct, count }, i) => {
      const step = steps[i]!;
      if (!Number.isFinite(loss)) {
        throw new DivergenceError(
          `loss became ${loss} at step ${step.step} (epoch ${step.epoch + 1}, batch ${step.stepInEpoch}, learning rate ${step.lr}); ` +
            `the last good checkpoint is kept at ${this.paths.last}. Lower --lr or check the data.`,
        );
      }
      totals.add(loss, step.images, correct, count);
      const accuracy = correct === null ? null : correct / count;
      const { epoch, lr, phase } = step;
      this.progress.update({
        epoch,
        epochs: config.epochs,
        step: step.stepInEpoch,
        steps: stepsPerEpoch,
        loss,
        accuracy,
        imagesPerSecond,
        phase,
      });
      if (step.step % config.logEvery === 0)
        this.log.append({ type: 'step', epoch: epoch + 1, step: step.step, loss, lr, imagesPerSecond, phase });
    });
  }

  /**
   * Validation, the plateau policy (best checkpoint, dualopt switch, early stopping), the epoch
   * record. Returns true to stop. A stop inside an epoch (`complete` false: --max-steps, a time
   * limit) validates and records it too, but the epoch stays the current one, so a resume finishes
   * its remaining batches (a 1-epoch preset would otherwise have nothing left to train).
   */
  private async endOfEpoch(
    epoch: number,
    validationSet: Dataset | null,
    train: { loss: number; accuracy: number | null },
    complete = true,
  ): Promise<boolean> {
    const { config } = this;
    const trainedPhase = this.state.phase;
    this.state.epoch = complete ? epoch + 1 : epoch;
    let stop = false;
    let validation: Evaluation | null = null;
    if (validationSet) {
      validation = await this.evaluateOn(validationSet, { report: false });
      const decision = afterValidation(this.state, validation.primary, epoch + 1, config);
      Object.assign(this.state, decision.state);
      if (decision.improved)
        await this.checkpoints.saveBest(this.model, this.optimizer, { ...this.state, rng: this.rng.state() });
      if (decision.action === 'switch-to-sgd') {
        // Official recipe: reload the best weights and continue with SGD under the same rule.
        this.checkpoints.restoreBest(this.model);
        this.optimizer.dispose();
        this.optimizer = makeOptimizer(config, 'sgd');
        this.progress.log(
          `dualopt: no improvement for ${config.patience} epochs; best weights reloaded, switching to SGD`,
        );
      } else if (decision.action === 'stop') {
        stop = true;
        this.progress.log(`early stopping: no improvement for ${config.patience} epochs`);
      }
    }
    const seconds = (performance.now() - this.started) / 1000;
    this.log.append({
      type: 'epoch',
      epoch: epoch + 1,
      step: this.state.step,
      phase: trainedPhase,
      trainLoss: train.loss,
      trainAccuracy: train.accuracy,
      ...(validation ? prefixKeys('val', validation.metrics) : {}),
      bestMetric: this.state.bestMetric,
      seconds,
    });
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

  /** Saves `last` with the data position, the random stream and the elapsed time. */
  private async checkpoint(): Promise<void> {
    this.state.pipeline = this.trainPipeline.state();
    this.state.rng = this.rng.state();
    this.state.elapsedSeconds = (performance.now() - this.started) / 1000;
    await this.checkpoints.saveLast(this.model, this.optimizer, this.state);
    this.lastCheckpointTime = performance.now();
  }
}

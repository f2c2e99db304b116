/**
 * wavemix-train's command line (src/cli.ts runs it). Flags follow timm's train.py; precedence is
 * defaults < --preset < --config file < flags. Exit codes: EXIT_CODES below (also in --help).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { listModels } from '@wavemix/models';
import { autoWorkers, buildConfig, readConfigFile, resolveModelSpec, type TrainConfig } from './config';
import { CheckpointError } from './checkpoint';
import { DivergenceError, InterruptedError, UsageError } from './errors';
import { PRESETS } from './presets';
import { createProgress } from './progress';
import { runPaths } from './run_folder';
import { parseBorderCrop, SR_BENCHMARKS } from './sr_benchmark_eval';
import { TrainingRun } from './train';

export const EXIT_CODES = `
Exit codes:
  0    done (or --help / --list-*)
  1    unexpected error (a bug: please report it with the output)
  2    usage error: bad flag or config, missing dataset, a resume with another configuration,
       or a run folder that cannot be written (full disk, read-only, no permission: the path is named)
  3    training diverged (NaN/Inf loss or weights); the last good checkpoint is kept
  4    no intact checkpoint to resume from (each file and its problem is named: torn, checksum
       mismatch, invalid state, older format); a corrupt last.safetensors with an intact
       previous.safetensors is not an error: the run resumes from it and says so
  130  interrupted (SIGINT); a checkpoint was saved, continue with --resume <dir>`;

/** A commander parser for numeric flags that names the flag and the rule it breaks. */
function numberFlag(name: string, rule: string, accept: (n: number) => boolean) {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || !accept(n))
      throw new InvalidArgumentError(`${name} must be ${rule}, got '${value}'`);
    return n;
  };
}

const borderCropFlag = (value: string) => {
  try {
    return parseBorderCrop(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

const workersFlag = (value: string) => (value === 'auto' ? value : integer('--workers', 0)(value));

const integer = (name: string, min: number) =>
  numberFlag(name, `an integer >= ${min}`, (n) => Number.isInteger(n) && n >= min);
const positive = (name: string) => numberFlag(name, 'a positive number', (n) => n > 0);
const nonNegative = (name: string) => numberFlag(name, 'a number >= 0', (n) => n >= 0);

export function buildProgram(): Command {
  return new Command('wavemix-train')
    .description('Train, evaluate, checkpoint and resume WaveMix models on image datasets (TensorFlow.js, Node).')
    .option('--preset <name>', `start from a preset: ${Object.keys(PRESETS).join(', ')}`)
    .option('--config <file>', 'JSON or YAML file of settings (flags override it)')
    .option('--model <name|file>', 'a zoo model name (--list-models) or a JSON/YAML model config')
    .option(
      '--dataset <name>',
      'mnist, fashion-mnist, emnist-<split>, cifar10, cifar100, stl10, galaxy10, cityscapes, places365, tiny-imagenet, image-folder, div2k',
    )
    .option('--data-dir <dir>', 'folder with the dataset files (MNIST is bundled)')
    .option('--epochs <n>', 'epochs to train', integer('--epochs', 1))
    .option('--batch-size <n>', 'training batch size', integer('--batch-size', 1))
    .option('--lr <x>', 'learning rate (peak for onecycle)', positive('--lr'))
    .option('--weight-decay <x>', 'AdamW weight decay', nonNegative('--weight-decay'))
    .addOption(
      new Option(
        '--opt <name>',
        'optimizer; dualopt = AdamW then SGD from the best checkpoint (official recipe)',
      ).choices(['adamw', 'sgd', 'dualopt', 'lion']),
    )
    .addOption(
      new Option(
        '--loss <name>',
        'training loss: default (cross-entropy; L1 for super-resolution), focal (gamma 2; classification, segmentation) or huber (HuberLoss on Y; super-resolution)',
      ).choices(['default', 'focal', 'huber']),
    )
    .option(
      '--patience <n>',
      'epochs without validation improvement before switching (dualopt) or stopping',
      integer('--patience', 1),
    )
    .addOption(new Option('--sched <name>', 'learning-rate schedule').choices(['none', 'cosine', 'onecycle']))
    .option('--warmup-epochs <x>', 'linear warm-up (none/cosine)', nonNegative('--warmup-epochs'))
    .addOption(
      new Option('--augment <kind>', 'training augmentation').choices(['none', 'flip', 'crop-flip', 'trivialaugment']),
    )
    .option('--seed <n>', 'seed for data order, initialisation and dropout', integer('--seed', 0))
    .option(
      '--backend <name>',
      'tensorflow, webgpu, wasm or cpu (default auto: the fastest available; webgpu only on a hardware GPU adapter)',
    )
    .option(
      '--allow-software-gpu',
      'let --backend webgpu run on a software adapter (SwiftShader): tests and CI only, ~100x slower than a GPU',
    )
    .option('--vulkan-icd <file>', 'Vulkan driver (ICD json) for webgpu, e.g. /usr/share/vulkan/icd.d/nvidia_icd.json')
    .option('--gpu-adapter <name>', 'webgpu adapter to use, by a substring of its name')
    .option(
      '--loss-read-every <n>',
      'steps between loss readbacks on GPU backends (default 10; cpu/wasm read every step)',
      integer('--loss-read-every', 1),
    )
    .option(
      '--workers <n|auto>',
      'data-parallel worker threads beside the main one (wasm; default auto: the spare cores)',
      workersFlag,
    )
    .option('--output <dir>', 'run folder (checkpoints, metrics.jsonl, final.json, report, exports)')
    .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint')
    .option('--eval-only', 'evaluate (the resumed or initial weights) on the test split without training')
    .addOption(
      new Option(
        '--eval-benchmark <set>',
        'super-resolution: after training (or with --eval-only) also score the best weights on the whole images of a benchmark set',
      ).choices([...SR_BENCHMARKS]),
    )
    .option(
      '--eval-benchmark-dir <dir>',
      'the benchmark set folder (GTmod12 + LRbicx<s>, image_SRF_<s> or HR + LR_bicubic/X<s>)',
    )
    .option(
      '--eval-benchmark-scale <n>',
      "the benchmark's scale (default: the model's; another is refused)",
      integer('--eval-benchmark-scale', 2),
    )
    .option(
      '--border-crop <none|scale|n>',
      'pixels cut from each border before PSNR/SSIM: none (default, as the official WaveMixSR test code), scale (EDSR/BasicSR) or n',
      borderCropFlag,
    )
    .option('--limit-train <n>', 'use only the first n training examples', integer('--limit-train', 1))
    .option('--limit-test <n>', 'use only the first n test examples', integer('--limit-test', 1))
    .option('--test-limit <n>', 'the same as --limit-test', integer('--test-limit', 1))
    .option(
      '--max-steps <n>',
      'stop training after n optimizer steps in all (then validate, test and export)',
      integer('--max-steps', 1),
    )
    .option(
      '--val-fraction <x>',
      'share of the training split held out for validation (0 disables)',
      nonNegative('--val-fraction'),
    )
    .addOption(
      new Option(
        '--test-weights <which>',
        'weights the final test and the export use: best on validation (default) or last',
      ).choices(['best', 'last']),
    )
    .option('--log-every <n>', 'steps between metrics.jsonl step records and log lines', integer('--log-every', 1))
    .option('--checkpoint-every <seconds>', 'seconds between mid-epoch checkpoints', positive('--checkpoint-every'))
    .option('--time-limit <minutes>', 'stop training after this many minutes, then test', positive('--time-limit'))
    .option('--list-presets', 'list presets and exit')
    .option('--list-models', 'list zoo models and exit')
    .addHelpText('after', EXIT_CODES)
    .showHelpAfterError('(run wavemix-train --help for usage)');
}

const FLAG_TO_FIELD: Record<string, keyof TrainConfig> = {
  model: 'model',
  dataset: 'dataset',
  dataDir: 'dataDir',
  epochs: 'epochs',
  batchSize: 'batchSize',
  lr: 'lr',
  weightDecay: 'weightDecay',
  opt: 'opt',
  loss: 'loss',
  patience: 'patience',
  sched: 'sched',
  warmupEpochs: 'warmupEpochs',
  augment: 'augment',
  seed: 'seed',
  backend: 'backend',
  allowSoftwareGpu: 'allowSoftwareGpu',
  vulkanIcd: 'vulkanIcd',
  gpuAdapter: 'gpuAdapter',
  lossReadEvery: 'lossReadEvery',
  workers: 'workers',
  output: 'output',
  resume: 'resume',
  evalOnly: 'evalOnly',
  limitTrain: 'limitTrain',
  limitTest: 'limitTest',
  valFraction: 'valFraction',
  testWeights: 'testWeights',
  logEvery: 'logEvery',
  checkpointEvery: 'checkpointEverySeconds',
  timeLimit: 'timeLimitMinutes',
  testLimit: 'limitTest',
  maxSteps: 'maxSteps',
  evalBenchmark: 'evalBenchmark',
  evalBenchmarkDir: 'evalBenchmarkDir',
  evalBenchmarkScale: 'evalBenchmarkScale',
  borderCrop: 'borderCrop',
};

/** Turns parsed flags into a validated config (presets, files and resume folders resolved). */
export function configFromFlags(flags: Record<string, unknown>): TrainConfig {
  const layers: Array<{ source: string; values: Record<string, unknown> }> = [];
  if (flags['resume'] !== undefined) {
    const saved = runPaths(String(flags['resume'])).config;
    if (!existsSync(saved))
      throw new UsageError(`--resume ${String(flags['resume'])}: not a run folder (no config.json)`);
    const { modelConfig: _model, trainableParams: _params, resume: _resume, ...values } = readConfigFile(saved);
    layers.push({ source: saved, values: { ...values, output: flags['resume'] } });
  }
  if (flags['preset'] !== undefined) {
    const preset = PRESETS[String(flags['preset'])];
    if (!preset)
      throw new UsageError(
        `unknown preset '${String(flags['preset'])}'; choose one of ${Object.keys(PRESETS).join(', ')}`,
      );
    const values = { ...(preset.values as Record<string, unknown>) };
    // A preset's time budget is for the wasm backend (mnist-quick: 3.3 min); an explicit
    // --max-steps is the run's budget instead (a short run on a slow GPU), unless --time-limit is given too.
    if (flags['maxSteps'] !== undefined) delete values['timeLimitMinutes'];
    layers.push({ source: `preset ${String(flags['preset'])}`, values });
  }
  if (flags['config'] !== undefined)
    layers.push({ source: String(flags['config']), values: readConfigFile(String(flags['config'])) });
  const fromFlags: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(FLAG_TO_FIELD)) {
    if (flags[flag] !== undefined && flags[flag] !== 'auto') fromFlags[field] = flags[flag];
  }
  if (typeof fromFlags['model'] === 'string') fromFlags['model'] = resolveModelSpec(fromFlags['model'] as string);
  layers.push({ source: 'command line', values: fromFlags });
  const config = buildConfig(layers);
  // Workers are auto unless set (a resumed run's config.json sets them: it keeps its count).
  const explicit = layers.some((layer) => layer.values['workers'] !== undefined);
  if (flags['workers'] === 'auto' || !explicit)
    return { ...config, workers: autoWorkers(config.batchSize, availableParallelism()) };
  return config;
}

/** Runs the command line; resolves to the process exit code. */
export async function main(
  argv: string[] = process.argv,
  output: Pick<Console, 'log' | 'error'> = console,
): Promise<number> {
  const program = buildProgram()
    .exitOverride()
    .configureOutput({ writeOut: (s) => output.log(s.trimEnd()), writeErr: (s) => output.error(s.trimEnd()) });
  let flags: Record<string, unknown>;
  try {
    flags = program.parse(argv).opts();
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }
  if (flags['listPresets']) {
    for (const [name, preset] of Object.entries(PRESETS)) output.log(`${name.padEnd(14)} ${preset.description}`);
    return 0;
  }
  if (flags['listModels']) {
    for (const info of listModels())
      output.log(
        `${info.name.padEnd(40)} ${info.task.padEnd(15)} ${info.trainableParams.toLocaleString('en-US').padStart(12)}  ${info.description}`,
      );
    return 0;
  }
  try {
    const config = configFromFlags(flags);
    const progress = createProgress({ tty: Boolean(process.stdout.isTTY), logEvery: config.logEvery });
    const run = new TrainingRun(config, progress);
    let interrupts = 0;
    const onSigint = () => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      progress.log('interrupt: saving a checkpoint after this step (Ctrl-C again to quit at once)');
      run.requestStop();
    };
    process.on('SIGINT', onSigint);
    try {
      await run.run();
    } finally {
      process.off('SIGINT', onSigint);
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      output.error(`wavemix-train: ${error.message}`);
      return 2;
    }
    if (CheckpointError.isInstance(error)) {
      output.error(`wavemix-train: cannot resume: ${error.message}`);
      return 4;
    }
    if (error instanceof DivergenceError) {
      output.error(`wavemix-train: training diverged: ${error.message}`);
      return 3;
    }
    if (error instanceof InterruptedError) {
      output.error(`wavemix-train: ${error.message}`);
      return 130;
    }
    output.error(error);
    return 1;
  }
}

/**
 * The run configuration: zod schema, loading of JSON/YAML config files, and the precedence
 * defaults < preset < config file < command-line flags. Everything downstream sees one validated
 * `TrainConfig`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from './errors';

const positiveInt = z.number().int().positive();

/** A model: a zoo name, or an inline WaveMix config (validated in full by @wavemix/models). */
export const ModelSpecSchema = z.union([
  z.string().min(1),
  z
    .object({
      task: z.enum(['classification', 'segmentation', 'sisr', 'wavemix-sr', 'wavemix-sr-v2']),
    })
    .passthrough(),
]);

export const TrainConfigSchema = z
  .object({
    model: ModelSpecSchema,
    dataset: z.string().min(1),
    dataDir: z.string().optional(),
    /** Reader options passed to loadDataset (e.g. Cityscapes `imageSize`, DIV2K `patchSize`). */
    datasetOptions: z.record(z.string(), z.unknown()).optional(),
    /** The held-out split used for the final test (default per dataset: test, val or valid). */
    testSplit: z.string().min(1).optional(),
    epochs: positiveInt,
    batchSize: positiveInt,
    evalBatchSize: positiveInt.optional(),
    lr: z.number().positive(),
    weightDecay: z.number().min(0),
    opt: z.enum(['adamw', 'sgd', 'dualopt', 'lion']),
    /**
     * The training loss instead of the task's default (cross-entropy; L1 for super-resolution):
     * `focal` (gamma 2, classification/segmentation) or `huber` (HuberLoss on Y, super-resolution),
     * as the official scripts use. Optional so that runs recorded before it resume unchanged.
     */
    loss: z.enum(['default', 'focal', 'huber']).optional(),
    momentum: z.number().min(0).max(1),
    patience: positiveInt,
    sched: z.enum(['none', 'cosine', 'onecycle']),
    warmupEpochs: z.number().min(0),
    augment: z.enum(['none', 'flip', 'crop-flip', 'trivialaugment']),
    seed: z.number().int().min(0),
    backend: z.string().min(1),
    /** `--backend webgpu` on a software adapter (SwiftShader): tests and CI only. */
    allowSoftwareGpu: z.boolean().optional(),
    /** A Vulkan ICD json for Dawn (e.g. /usr/share/vulkan/icd.d/nvidia_icd.json). */
    vulkanIcd: z.string().min(1).optional(),
    /** Dawn's adapter choice by name substring. */
    gpuAdapter: z.string().min(1).optional(),
    /** Steps between loss readbacks on GPU backends (webgpu, webgl): each read waits for the device queue. */
    lossReadEvery: positiveInt.optional(),
    /**
     * Data-parallel worker threads beside the main thread (wasm backend; each computes a shard of
     * every batch). Part of the computation: batch-norm statistics are per shard, as in PyTorch
     * DDP. `--workers auto` resolves it from the cores and the batch size when the run starts.
     */
    workers: z.number().int().min(0),
    output: z.string().min(1),
    resume: z.string().optional(),
    evalOnly: z.boolean(),
    limitTrain: positiveInt.optional(),
    limitTest: positiveInt.optional(),
    valFraction: z.number().min(0).max(0.5),
    /**
     * The weights the final test (and the export) uses: 'best' on validation (default, the official
     * recipe) or 'last', the end of the schedule. With a one-cycle schedule the last weights are the
     * annealed ones, and a small validation split cannot rank epochs a few tenths of a point apart.
     */
    testWeights: z.enum(['best', 'last']).optional(),
    logEvery: positiveInt,
    checkpointEverySeconds: z.number().positive(),
    timeLimitMinutes: z.number().positive().optional(),
    /** Stop training after this many optimizer steps in all (then validate, test and export), like the time limit. */
    maxSteps: positiveInt.optional(),
    reportWorst: z.number().int().min(0),
    /** Whole-image evaluation of the best weights on a super-resolution benchmark (`--eval-benchmark`). */
    evalBenchmark: z.enum(['set5', 'set14', 'bsd100', 'urban100']).optional(),
    evalBenchmarkDir: z.string().min(1).optional(),
    /** The scale the benchmark is read at (default: the model's; another is refused). */
    evalBenchmarkScale: positiveInt.optional(),
    /** Border crop before measuring: 'none' (default, as the official WaveMixSR test code), 'scale' or pixels. */
    borderCrop: z.union([z.enum(['none', 'scale']), z.number().int().min(0)]).optional(),
  })
  .strict();

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type ModelSpec = z.infer<typeof ModelSpecSchema>;

export const DEFAULTS: Omit<TrainConfig, 'model' | 'dataset'> = {
  epochs: 10,
  batchSize: 64,
  lr: 1e-3,
  weightDecay: 0.01,
  opt: 'adamw',
  momentum: 0.9,
  patience: 20,
  sched: 'none',
  warmupEpochs: 0,
  augment: 'none',
  seed: 0,
  backend: 'auto',
  workers: 0,
  output: 'runs/latest',
  evalOnly: false,
  valFraction: 0.1,
  logEvery: 50,
  checkpointEverySeconds: 60,
  reportWorst: 16,
};

/** Fields that only change how a run is operated, not what it computes (ignored when resuming). */
const OPERATIONAL_FIELDS = new Set<keyof TrainConfig>([
  'output',
  'resume',
  'evalOnly',
  'backend',
  'allowSoftwareGpu',
  'vulkanIcd',
  'gpuAdapter',
  'lossReadEvery',
  'logEvery',
  'checkpointEverySeconds',
  'timeLimitMinutes',
  'maxSteps',
  'reportWorst',
  'testWeights',
  'evalBatchSize',
  'evalBenchmark',
  'evalBenchmarkDir',
  'evalBenchmarkScale',
  'borderCrop',
]);

function formatIssues(error: z.ZodError, source: string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? issue.path.join('.') : '(root)';
      return `  ${source}: ${path}: ${issue.message}`;
    })
    .join('\n');
}

/**
 * The `auto` worker count: one worker per spare core, but shards of at least 16 images so that
 * per-shard batch-norm statistics stay meaningful.
 */
export function autoWorkers(batchSize: number, cores: number): number {
  return Math.max(0, Math.min(cores - 1, Math.floor(batchSize / 16) - 1, 7));
}

/** Reads a JSON or YAML file into a plain object, with errors that say which file and why. */
export function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UsageError(`config file not found: ${path}`);
  const text = readFileSync(path, 'utf8');
  let value: unknown;
  try {
    value = ['.yaml', '.yml'].includes(extname(path).toLowerCase()) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new UsageError(`cannot parse ${path}: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(
      `${path} must contain an object of settings, got ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}

/** A `--model` value: a zoo name, or a path to a JSON/YAML model config. */
export function resolveModelSpec(value: string): ModelSpec {
  if (/\.(json|ya?ml)$/i.test(value)) return ModelSpecSchema.parse(readConfigFile(value));
  return value;
}

/** Merges the layers (later wins) and validates the result. */
export function buildConfig(layers: Array<{ source: string; values: Record<string, unknown> }>): TrainConfig {
  const merged: Record<string, unknown> = { ...DEFAULTS };
  for (const { source, values } of layers) {
    const partial = TrainConfigSchema.partial().safeParse(values);
    if (!partial.success) throw new UsageError(`invalid settings:\n${formatIssues(partial.error, source)}`);
    for (const [key, value] of Object.entries(values)) if (value !== undefined) merged[key] = value;
  }
  const result = TrainConfigSchema.safeParse(merged);
  if (!result.success) {
    throw new UsageError(
      `invalid configuration:\n${formatIssues(result.error, 'config')}\n(use --preset, --model and --dataset, or a --config file)`,
    );
  }
  return result.data;
}

/** The part of a config that determines the computation, in a canonical form. */
export function computationalConfig(config: TrainConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const values = config as Record<string, unknown>;
  for (const key of Object.keys(values).sort()) {
    if (!OPERATIONAL_FIELDS.has(key as keyof TrainConfig) && values[key] !== undefined) out[key] = values[key];
  }
  return out;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function configHash(config: TrainConfig): string {
  return createHash('sha256')
    .update(canonicalJson(computationalConfig(config)))
    .digest('hex')
    .slice(0, 16);
}

/** Human-readable differences between a checkpoint's config and the current one (empty if none). */
export function describeConfigDifferences(saved: Record<string, unknown>, current: TrainConfig): string[] {
  const now = computationalConfig(current);
  const keys = new Set([
    ...Object.keys(saved).filter((k) => !OPERATIONAL_FIELDS.has(k as keyof TrainConfig)),
    ...Object.keys(now),
  ]);
  const differences: string[] = [];
  for (const key of [...keys].sort()) {
    const a = canonicalJson(saved[key]);
    const b = canonicalJson(now[key]);
    if (a !== b) differences.push(`${key}: checkpoint has ${a ?? 'unset'}, now ${b ?? 'unset'}`);
  }
  return differences;
}

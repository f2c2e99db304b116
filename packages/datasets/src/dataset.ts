import { DatasetArgumentError } from './errors';

export type Task = 'classification' | 'segmentation' | 'super-resolution';

/** Height, width, channels. */
export type ImageShape = readonly [number, number, number];

/**
 * Raw examples as a reader returns them: 8-bit HWC images of one shape, plus class ids
 * (classification), class-id maps (segmentation, `ignoreIndex` for unlabelled pixels) or
 * high-resolution images (super-resolution, where `images` are the low-resolution inputs).
 */
export interface ExampleBatch {
  /** `[n, H, W, C]` uint8. */
  images: Uint8Array;
  imageShape: ImageShape;
  /** Classification: `[n]` class ids. */
  labels?: Int32Array;
  /** Segmentation: `[n, H, W]` class ids; super-resolution: `[n, H*scale, W*scale, C]` HR images. */
  targets?: Uint8Array;
  /** Per-example shape of `targets`: `[H, W]` (segmentation) or `[H', W', C]` (super-resolution). */
  targetShape?: readonly number[];
}

/** What a training or evaluation run needs to know about a dataset split. */
export interface DatasetInfo {
  /** Registry name (`'mnist'`, `'cifar10'`, ...) or a caller's own. */
  readonly name: string;
  readonly split: string;
  readonly task: Task;
  /** Number of examples. */
  readonly size: number;
  /** `[H, W, C]` of every input image, or null when it varies (then batches must hold 1 example). */
  readonly imageShape: ImageShape | null;
  /** Per-example target shape (segmentation `[H, W]`, SR `[H', W', C]`); null for classification or when it varies. */
  readonly targetShape: readonly number[] | null;
  /** Classes (0 for super-resolution). */
  readonly numClasses: number;
  readonly classNames: readonly string[];
  /** Per-channel normalisation statistics of pixel values scaled to [0, 1]. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** Segmentation: target value of unlabelled pixels (255). */
  readonly ignoreIndex?: number;
  /** Super-resolution: the upscaling factor. */
  readonly scale?: number;
}

/** How a worker thread re-opens a dataset that `loadDataset` produced. */
export interface LoadSpec {
  name: string;
  options: Record<string, unknown>;
}

export interface Dataset extends DatasetInfo {
  /**
   * Reads examples by index. `seeds` (one 32-bit value per index, from the pipeline) drive any
   * per-example randomness of the reader itself, such as the position of an SR training patch.
   */
  read(indices: ArrayLike<number>, seeds?: Uint32Array): Promise<ExampleBatch>;
  /** Set by `loadDataset`: lets a worker thread open the same dataset itself. */
  readonly loadSpec?: LoadSpec;
  /** Releases files or workers the reader holds. */
  close?(): Promise<void>;
}

export function checkIndices(indices: ArrayLike<number>, size: number, name: string): void {
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (!Number.isInteger(index) || index < 0 || index >= size) {
      throw new DatasetArgumentError('indices', `${index} is outside ${name}'s ${size} examples`);
    }
  }
}

export interface InMemoryDatasetInit extends Omit<DatasetInfo, 'size' | 'imageShape' | 'targetShape'> {
  imageShape: ImageShape;
  targetShape?: readonly number[] | null;
  /** `[size, H, W, C]` uint8. */
  images: Uint8Array;
  labels?: Int32Array;
  targets?: Uint8Array;
  loadSpec?: LoadSpec;
}

/** A dataset held in memory (MNIST, CIFAR, STL-10, fixtures): `images`, `labels`, `targets`. */
export class InMemoryDataset implements Dataset {
  readonly name: string;
  readonly split: string;
  readonly task: DatasetInfo['task'];
  readonly size: number;
  readonly imageShape: ImageShape;
  readonly targetShape: readonly number[] | null;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly ignoreIndex?: number;
  readonly scale?: number;
  readonly images: Uint8Array;
  readonly labels?: Int32Array;
  readonly targets?: Uint8Array;
  readonly loadSpec?: LoadSpec;

  constructor(init: InMemoryDatasetInit) {
    this.name = init.name;
    this.split = init.split;
    this.task = init.task;
    this.imageShape = init.imageShape;
    this.targetShape = init.targetShape ?? null;
    this.numClasses = init.numClasses;
    this.classNames = init.classNames;
    this.mean = init.mean;
    this.std = init.std;
    if (init.ignoreIndex !== undefined) this.ignoreIndex = init.ignoreIndex;
    if (init.scale !== undefined) this.scale = init.scale;
    if (init.loadSpec) this.loadSpec = init.loadSpec;
    this.images = init.images;
    const perImage = init.imageShape[0] * init.imageShape[1] * init.imageShape[2];
    if (perImage <= 0 || init.images.length % perImage !== 0) {
      throw new DatasetArgumentError(
        'images',
        `length ${init.images.length} is not a multiple of [${init.imageShape}]`,
      );
    }
    this.size = init.images.length / perImage;
    if (init.task === 'classification') {
      if (!init.labels || init.labels.length !== this.size) {
        throw new DatasetArgumentError(
          'labels',
          `classification needs ${this.size} labels, got ${init.labels?.length ?? 'none'}`,
        );
      }
      this.labels = init.labels;
    } else {
      const perTarget = (init.targetShape ?? []).reduce((a, b) => a * b, 1);
      if (!init.targets || !init.targetShape || init.targets.length !== perTarget * this.size) {
        throw new DatasetArgumentError(
          'targets',
          `${init.task} needs ${this.size} targets of shape [${init.targetShape ?? '?'}]`,
        );
      }
      this.targets = init.targets;
    }
  }

  async read(indices: ArrayLike<number>): Promise<ExampleBatch> {
    return this.readSync(indices);
  }

  readSync(indices: ArrayLike<number>): ExampleBatch {
    checkIndices(indices, this.size, this.name);
    const n = indices.length;
    const perImage = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    const images = new Uint8Array(n * perImage);
    for (let i = 0; i < n; i++)
      images.set(this.images.subarray(indices[i]! * perImage, (indices[i]! + 1) * perImage), i * perImage);
    const batch: ExampleBatch = { images, imageShape: this.imageShape };
    if (this.labels) batch.labels = Int32Array.from({ length: n }, (_, i) => this.labels![indices[i]!]!);
    if (this.targets && this.targetShape) {
      const perTarget = this.targetShape.reduce((a, b) => a * b, 1);
      const targets = new Uint8Array(n * perTarget);
      for (let i = 0; i < n; i++)
        targets.set(this.targets.subarray(indices[i]! * perTarget, (indices[i]! + 1) * perTarget), i * perTarget);
      batch.targets = targets;
      batch.targetShape = this.targetShape;
    }
    return batch;
  }
}

/** One example as a lazy reader produces it. */
export interface Example {
  image: Uint8Array;
  imageShape: ImageShape;
  label?: number;
  target?: Uint8Array;
  targetShape?: readonly number[];
}

export interface LazyDatasetInit extends DatasetInfo {
  /** Reads one example; `seed` is the pipeline's per-example seed (0 outside a pipeline). */
  readExample(index: number, seed: number): Promise<Example>;
  /** How many examples are read at once (decoding runs on libuv threads). */
  concurrency?: number;
  loadSpec?: LoadSpec;
  close?(): Promise<void>;
}

/** A dataset read example by example on demand (image folders, Cityscapes, DIV2K). */
export class LazyDataset implements Dataset {
  readonly name: string;
  readonly split: string;
  readonly task: DatasetInfo['task'];
  readonly size: number;
  readonly imageShape: ImageShape | null;
  readonly targetShape: readonly number[] | null;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly ignoreIndex?: number;
  readonly scale?: number;
  readonly loadSpec?: LoadSpec;
  private readonly init: LazyDatasetInit;

  constructor(init: LazyDatasetInit) {
    this.init = init;
    this.name = init.name;
    this.split = init.split;
    this.task = init.task;
    this.size = init.size;
    this.imageShape = init.imageShape;
    this.targetShape = init.targetShape;
    this.numClasses = init.numClasses;
    this.classNames = init.classNames;
    this.mean = init.mean;
    this.std = init.std;
    if (init.ignoreIndex !== undefined) this.ignoreIndex = init.ignoreIndex;
    if (init.scale !== undefined) this.scale = init.scale;
    if (init.loadSpec) this.loadSpec = init.loadSpec;
  }

  async read(indices: ArrayLike<number>, seeds?: Uint32Array): Promise<ExampleBatch> {
    checkIndices(indices, this.size, this.name);
    const n = indices.length;
    const examples = new Array<Example>(n);
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        examples[i] = await this.init.readExample(indices[i]!, seeds?.[i] ?? 0);
      }
    };
    await Promise.all(Array.from({ length: Math.min(n, this.init.concurrency ?? 4) }, worker));
    return stackExamples(examples, this.name);
  }

  async close(): Promise<void> {
    await this.init.close?.();
  }
}

/** Stacks examples of equal shapes into an {@link ExampleBatch}. */
export function stackExamples(examples: Example[], name: string): ExampleBatch {
  const first = examples[0];
  if (!first) return { images: new Uint8Array(0), imageShape: [0, 0, 0] };
  const same = (a: readonly number[] | undefined, b: readonly number[] | undefined) =>
    (a ?? []).join() === (b ?? []).join();
  for (const e of examples) {
    if (!same(e.imageShape, first.imageShape) || !same(e.targetShape, first.targetShape)) {
      throw new DatasetArgumentError(
        'batchSize',
        `${name} examples differ in shape ([${first.imageShape}] vs [${e.imageShape}]); use batchSize 1 or a fixed image size`,
      );
    }
  }
  const images = new Uint8Array(examples.length * first.image.length);
  examples.forEach((e, i) => images.set(e.image, i * first.image.length));
  const batch: ExampleBatch = { images, imageShape: first.imageShape };
  if (first.label !== undefined) batch.labels = Int32Array.from(examples, (e) => e.label!);
  if (first.target && first.targetShape) {
    const targets = new Uint8Array(examples.length * first.target.length);
    examples.forEach((e, i) => targets.set(e.target!, i * first.target!.length));
    batch.targets = targets;
    batch.targetShape = first.targetShape;
  }
  return batch;
}

/** A view of some examples of another dataset (a split, a limit). */
export class SubsetDataset implements Dataset {
  readonly name: string;
  readonly split: string;
  readonly task: DatasetInfo['task'];
  readonly size: number;
  readonly imageShape: ImageShape | null;
  readonly targetShape: readonly number[] | null;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly ignoreIndex?: number;
  readonly scale?: number;

  constructor(
    readonly parent: Dataset,
    readonly indices: Int32Array,
    split = parent.split,
  ) {
    checkIndices(indices, parent.size, parent.name);
    this.name = parent.name;
    this.split = split;
    this.task = parent.task;
    this.size = indices.length;
    this.imageShape = parent.imageShape;
    this.targetShape = parent.targetShape;
    this.numClasses = parent.numClasses;
    this.classNames = parent.classNames;
    this.mean = parent.mean;
    this.std = parent.std;
    if (parent.ignoreIndex !== undefined) this.ignoreIndex = parent.ignoreIndex;
    if (parent.scale !== undefined) this.scale = parent.scale;
  }

  read(indices: ArrayLike<number>, seeds?: Uint32Array): Promise<ExampleBatch> {
    checkIndices(indices, this.size, `${this.name} (${this.split})`);
    return this.parent.read(
      Array.from(indices, (i) => this.indices[i]!),
      seeds,
    );
  }
}

/** The innermost dataset of nested subsets and the indices into it. */
export function resolveSubset(dataset: Dataset, indices: ArrayLike<number>): { root: Dataset; indices: Int32Array } {
  let current = dataset;
  let mapped = Int32Array.from(indices as ArrayLike<number>);
  while (current instanceof SubsetDataset) {
    const map = current.indices;
    mapped = mapped.map((i) => map[i]!);
    current = current.parent;
  }
  return { root: current, indices: mapped };
}

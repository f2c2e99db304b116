/**
 * 4. Timings: the wavelet transform and the model, median of 5 runs after a warm-up (results read
 * back), on the active backend ("Time this backend") or on all four ("Time every backend"). Each
 * row keeps its own result or error; running the model elsewhere never times it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { waveletPyramid } from '@wavemix/core';
import { activeKernels, BACKENDS, type BackendName } from '../backend';
import { runNetwork } from '../app/predictor';
import type { Store } from '../app/store';
import type { BackendSwitcher } from '../app/switcher';
import { CancelledError, type TaskContext, type TaskQueue } from '../app/tasks';
import { humaniseError } from '../logic/humanise';
import { formatMs, median } from '../logic/timing';
import { $, element } from '../ui/dom';
import { timeRuns } from '../wavelets';
import type { ModelPanel } from './model/model_panel';
import type { Panel } from './panel';

const ANCHOR = 'timing-section';
const RUNS = 5;

export interface BackendTiming {
  transformMs?: number;
  modelMs?: number;
  kernels?: string[];
  /** Why the backend cannot start here (found at start-up). */
  unavailable?: string;
  /** Why timing it failed (this row only). */
  error?: string;
}

export class TimingsPanel implements Panel {
  readonly timings: Partial<Record<BackendName, BackendTiming>> = {};

  constructor(
    private readonly store: Store,
    private readonly tasks: TaskQueue,
    private readonly switcher: BackendSwitcher,
    private readonly models: ModelPanel,
  ) {
    $('time-backend').addEventListener(
      'click',
      () => void this.tasks.run('Timing this backend', ANCHOR, (ctx) => this.timeActive(ctx)),
    );
    $('benchmark').addEventListener(
      'click',
      () => void this.tasks.run('Timing every backend', ANCHOR, (ctx) => this.timeAll(ctx)),
    );
    this.render();
  }

  /** A new model: the model column belonged to the previous one. */
  modelChanged(): void {
    for (const timing of Object.values(this.timings)) delete timing.modelMs;
    this.render();
  }

  /** A new image: every measured time belonged to the previous one (errors and unavailability stay). */
  imageChanged(): void {
    for (const timing of Object.values(this.timings)) {
      delete timing.transformMs;
      delete timing.modelMs;
    }
    this.render();
  }

  markUnavailable(backend: BackendName, reason: string): void {
    this.timings[backend] = { unavailable: reason };
    this.render();
  }

  async timeActive(ctx: TaskContext): Promise<void> {
    const backend = this.store.backend;
    if (!backend) return;
    const row: BackendTiming = { kernels: activeKernels() };
    this.timings[backend] = row;
    const image = this.store.image;
    if (image) {
      await ctx.step(`${backend}: wavelet transform`);
      const x = tf.tensor4d(image.working, [1, image.plan.height, image.plan.width, 3]);
      try {
        row.transformMs = median(await timeRuns(() => waveletPyramid(x, this.store.levels), RUNS));
      } finally {
        x.dispose();
      }
    }
    const input = this.models.timingInput();
    if (input) {
      await ctx.step(`${backend}: model`);
      const predictor = this.store.model!.predictor;
      try {
        row.modelMs = median(await timeRuns(() => runNetwork(predictor, input), RUNS));
      } finally {
        input.dispose();
      }
    }
    this.render();
  }

  /** Every backend in turn (WebGPU last: on SwiftShader, a model run on WebGPU costs WebGL its context), then back. */
  async timeAll(ctx: TaskContext): Promise<void> {
    const original = this.store.backend;
    const order = ['webgl', 'wasm', 'cpu', 'webgpu'] as const;
    for (const [i, backend] of order.entries()) {
      await ctx.step(`${i + 1}/${order.length}: ${backend}`, i / order.length);
      try {
        await this.switcher.use(backend, ctx);
        await this.timeActive(ctx);
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        this.timings[backend] = { ...this.timings[backend], error: humaniseError(error, { backend }).summary };
        this.render();
      }
    }
    if (original && this.store.backend !== original) {
      try {
        await this.switcher.use(original, ctx);
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        this.timings[original] = {
          ...this.timings[original],
          error: humaniseError(error, { backend: original }).summary,
        };
      }
    }
    this.render();
  }

  render(): void {
    const body = $('timings').querySelector('tbody')!;
    body.replaceChildren(
      ...BACKENDS.map((backend) => {
        const t = this.timings[backend];
        const problem = t?.unavailable ? `unavailable: ${t.unavailable}` : t?.error ? `failed: ${t.error}` : '';
        const row = element('tr', {}, [
          element('th', { scope: 'row', textContent: backend + (backend === this.store.backend ? ' (active)' : '') }),
          element('td', { textContent: formatMs(t?.transformMs ?? NaN) }),
          element('td', { textContent: formatMs(t?.modelMs ?? NaN) }),
          element('td', { textContent: t?.kernels?.join(', ') ?? '' }),
          element('td', { className: problem ? 'row-error' : '', textContent: problem }),
        ]);
        row.dataset['backend'] = backend;
        return row;
      }),
    );
  }

  debug(): Record<string, (...args: never[]) => unknown> {
    return { timings: () => JSON.parse(JSON.stringify(this.timings)) as typeof this.timings };
  }
}

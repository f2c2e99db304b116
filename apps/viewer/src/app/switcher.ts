/**
 * Switching the tfjs backend for the whole page: every panel rebuilds what lived on the old
 * backend (the model is reloaded from its source) and recomputes; then the new backend is checked
 * (the transform must invert, the model must agree with cpu). A backend that fails the check, or
 * whose WebGL context is lost, is refused until a reload, a banner says so, and the page goes back
 * to a backend that works.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  activeKernels,
  BackendUnavailableError,
  isBackendLost,
  markBackendLost,
  switchBackend,
  type BackendName,
} from '../backend';
import { humaniseError } from '../logic/humanise';
import type { Panel } from '../panels/panel';
import { $ } from '../ui/dom';
import { showBanner } from '../ui/messages';
import { compareWithCpu, cpuReference, probeOutput } from './cpu_check';
import type { Store } from './store';
import { CancelledError, type TaskContext } from './tasks';

/** Largest max |x − idwt(dwt(x))| of a working backend (float32: ~1e-7). */
const RECONSTRUCTION_TOLERANCE = 1e-3;

export class BackendSwitcher {
  constructor(
    private readonly store: Store,
    private readonly panels: readonly Panel[],
    /** max |x − idwt(dwt(x))| of the last transform (null without an image). */
    private readonly reconstructionError: () => number | null,
  ) {}

  renderStatus(): void {
    const kernels = activeKernels();
    const status = $('backend-status');
    status.textContent = `Active backend: ${this.store.backend} — our kernels: ${kernels.length ? kernels.join(', ') : 'none (tfjs composites)'}`;
    status.dataset['backend'] = this.store.backend ?? '';
    $<HTMLSelectElement>('backend').value = this.store.backend ?? '';
  }

  /** Rebuilds and recomputes every panel on the active backend. */
  async rebuild(ctx: TaskContext): Promise<void> {
    for (const panel of this.panels) await panel.backendChanged?.(ctx);
    for (const panel of this.panels) await panel.refresh?.(ctx);
  }

  async use(name: string, ctx: TaskContext): Promise<void> {
    const previous = this.store.backend;
    await ctx.step(`starting ${name}`);
    try {
      this.store.backend = await switchBackend(name);
    } finally {
      this.store.backend = (tf.getBackend() as BackendName) ?? this.store.backend;
      this.renderStatus();
    }
    const backend = this.store.backend;
    let problem: string | null;
    try {
      await this.rebuild(ctx);
      problem = await this.check(ctx);
    } catch (error) {
      if (error instanceof CancelledError) {
        // Never leave panels half on the old backend: finish the rebuild, then stop.
        await this.rebuild({ label: ctx.label, step: async () => {} });
        throw error;
      }
      const text = (error as Error)?.message ?? String(error);
      // A lost WebGL context (Chromium on SwiftShader after a model ran on WebGPU) shows as a failed compile.
      if (!(backend === 'webgl' && previous && previous !== 'webgl' && /compile|context/i.test(text))) throw error;
      problem = `its WebGL context was lost (${humaniseError(error).summary})`;
    }
    if (!problem) return;
    markBackendLost(backend, problem);
    const fallback = [previous, 'wasm', 'cpu'].find(
      (b): b is BackendName => !!b && b !== backend && !isBackendLost(b as BackendName),
    )!;
    this.store.backend = await switchBackend(fallback);
    this.renderStatus();
    await this.rebuild(ctx);
    showBanner(
      `The ${backend} backend gave wrong results: ${problem}. Its GPU context was probably lost. The page is back on ${fallback}, ` +
        `with the model reloaded from its source; reload the page to use ${backend} again.`,
    );
    throw new BackendUnavailableError(backend, `it gave wrong results (${problem}); back on ${fallback}`);
  }

  /** null when the active backend computes right, else what is wrong. */
  private async check(ctx: TaskContext): Promise<string | null> {
    if (this.store.backend === 'cpu') return null;
    const error = this.reconstructionError();
    if (error !== null && !(error <= RECONSTRUCTION_TOLERANCE)) {
      return `the wavelet transform does not invert any more (max |x − idwt(dwt(x))| = ${error.toExponential(2)})`;
    }
    const model = this.store.model;
    if (!model) return null;
    await ctx.step('checking the model against cpu');
    const reference = await cpuReference(model.source);
    return compareWithCpu(await probeOutput(model.predictor), reference);
  }
}

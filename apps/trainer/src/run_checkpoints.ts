/**
 * The checkpoints of a run folder: `last` (periodic, at epoch ends, on SIGINT; what --resume
 * continues from) and `best` (the best validation metric so far; what the final test uses).
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { readCheckpoint, restoreModelWeights, saveCheckpoint, type Checkpoint, type TrainState } from './checkpoint';
import type { TrainConfig } from './config';
import { DivergenceError, UsageError } from './errors';
import { runPaths, type RunPaths } from './run_folder';

export class RunCheckpoints {
  constructor(private readonly paths: RunPaths) {}

  /**
   * The checkpoint a run continues from: `--resume <dir>`'s last, or an existing run in the
   * output folder (continued with the same config, refused with another; never overwritten).
   */
  findResume(config: TrainConfig): { path: string; checkpoint: Checkpoint } | null {
    let path: string | null = null;
    if (config.resume) {
      path = runPaths(config.resume).last;
      if (!existsSync(path)) throw new UsageError(`--resume ${config.resume}: no checkpoint at ${path}`);
    } else if (existsSync(this.paths.last)) {
      path = this.paths.last;
    }
    return path ? { path, checkpoint: readCheckpoint(path) } : null;
  }

  /** Saves `last`, unless an update has already made a weight non-finite (the last good one stays). */
  async saveLast(model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainState): Promise<void> {
    const bad = model.weights.find((w) => tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(w.read()))).dataSync()[0]));
    if (bad) {
      throw new DivergenceError(
        `weight ${bad.originalName} became non-finite by step ${state.step}; the last good checkpoint is kept at ${this.paths.last}. Lower --lr or check the data.`,
      );
    }
    await saveCheckpoint(this.paths.last, model, optimizer, state);
  }

  async saveBest(model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainState): Promise<void> {
    await saveCheckpoint(this.paths.best, model, optimizer, state);
  }

  hasBest(): boolean {
    return existsSync(this.paths.best);
  }

  /** Loads the best checkpoint's weights into `model` (dualopt's switch, the final test). */
  restoreBest(model: tf.LayersModel): void {
    restoreModelWeights(model, readCheckpoint(this.paths.best).model, this.paths.best);
  }
}

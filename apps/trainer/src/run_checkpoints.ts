/**
 * The checkpoints of a run folder: `last` (periodic, at epoch ends, on SIGINT; what --resume
 * continues from), `previous` (the `last` before it, kept as a hard link, so a corrupt `last` has
 * an intact fallback) and `best` (the best validation metric so far; what the final test uses).
 */
import { copyFileSync, existsSync, linkSync, renameSync, rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import {
  CheckpointError,
  readCheckpoint,
  restoreModelWeights,
  saveCheckpoint,
  type Checkpoint,
  type TrainState,
} from './checkpoint';
import type { TrainConfig } from './config';
import { DivergenceError, UsageError } from './errors';
import { runPaths, writingTo, writingToAsync, type RunPaths } from './run_folder';

export interface ResumeCheckpoint {
  path: string;
  checkpoint: Checkpoint;
}

export class RunCheckpoints {
  constructor(private readonly paths: RunPaths) {}

  /**
   * The checkpoint a run continues from: `--resume <dir>`'s, or an existing run's in the output
   * folder (continued with the same config, refused with another; never overwritten). Every
   * candidate is verified (checksum, state); a corrupt `last` is moved aside and the newest intact
   * one is used, with a note through `log`. Throws `CheckpointError` listing each file and its
   * problem when none is intact; never returns unverified weights.
   */
  findResume(config: TrainConfig, log: (message: string) => void): ResumeCheckpoint | null {
    const folder = config.resume ? runPaths(config.resume) : this.paths;
    const candidates = [folder.last, folder.previous].filter((path) => existsSync(path));
    if (candidates.length === 0) {
      if (config.resume) throw new UsageError(`--resume ${config.resume}: no checkpoint at ${folder.last}`);
      return null;
    }
    const problems: CheckpointError[] = [];
    for (const path of candidates) {
      try {
        const checkpoint = readCheckpoint(path);
        if (problems.length) this.reportFallback(problems, path, checkpoint.state.step, log);
        if (existsSync(folder.best)) readCheckpoint(folder.best);
        return { path, checkpoint };
      } catch (error) {
        if (!CheckpointError.isInstance(error)) throw error;
        if (error.file === folder.best) {
          throw new CheckpointError(
            error.file,
            `${error.problem}. Delete it to continue without the best-so-far weights.`,
          );
        }
        problems.push(error);
      }
    }
    const listed = problems.map((problem) => `\n  ${problem.message}`).join('');
    throw new CheckpointError(candidates[0]!, `no intact checkpoint to resume from:${listed}`);
  }

  /** Keeps a corrupt `last` for inspection under another name, so it is never rotated into `previous`. */
  private reportFallback(
    problems: CheckpointError[],
    used: string,
    step: number,
    log: (message: string) => void,
  ): void {
    for (const problem of problems) {
      const aside = problem.file.replace(/\.safetensors$/, `.corrupt-${Date.now()}.safetensors`);
      writingTo(aside, () => renameSync(problem.file, aside));
      log(
        `warning: ${problem.message}\n  moved to ${aside}; resuming from the newest intact checkpoint, ${used} (step ${step})`,
      );
    }
  }

  /**
   * Saves `last`, unless an update has already made a weight non-finite (the last good one stays).
   * The replaced `last` becomes `previous` (a hard link: no copy; a copy where links are not supported).
   */
  async saveLast(model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainState): Promise<void> {
    // One read for all weights (1 where a weight has a non-finite value): no per-weight device sync.
    const flags = tf.tidy(() =>
      tf.stack(model.weights.map((w) => tf.cast(tf.logicalNot(tf.all(tf.isFinite(w.read()))), 'int32'))),
    );
    const nonFinite = await flags.data();
    flags.dispose();
    const bad = model.weights.find((_, i) => nonFinite[i] !== 0);
    if (bad) {
      throw new DivergenceError(
        `weight ${bad.originalName} became non-finite by step ${state.step}; the last good checkpoint is kept at ${this.paths.last}. Lower --lr or check the data.`,
      );
    }
    const { last, previous } = this.paths;
    if (existsSync(last)) {
      writingTo(previous, () => {
        rmSync(previous, { force: true });
        try {
          linkSync(last, previous);
        } catch {
          copyFileSync(last, previous);
        }
      });
    }
    await writingToAsync(last, () => saveCheckpoint(last, model, optimizer, state));
  }

  async saveBest(model: tf.LayersModel, optimizer: tf.Optimizer, state: TrainState): Promise<void> {
    await writingToAsync(this.paths.best, () => saveCheckpoint(this.paths.best, model, optimizer, state));
  }

  hasBest(): boolean {
    return existsSync(this.paths.best);
  }

  /** Loads the best checkpoint's weights into `model` (dualopt's switch, the final test), verified. */
  restoreBest(model: tf.LayersModel): void {
    restoreModelWeights(model, readCheckpoint(this.paths.best).model, this.paths.best);
  }
}

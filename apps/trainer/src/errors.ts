import { WaveMixError } from '@wavemix/core';

/** A problem the user can fix (bad flag, invalid config, missing dataset): printed without a stack, exit code 2. */
export class UsageError extends WaveMixError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Training diverged (NaN or infinite loss); the last good checkpoint is kept. Exit code 3. */
export class DivergenceError extends WaveMixError {
  constructor(message: string) {
    super(message);
    this.name = 'DivergenceError';
  }
}

/** The run stopped on request (SIGINT) after saving a checkpoint. Exit code 130. */
export class InterruptedError extends WaveMixError {
  static override readonly errorName: string = 'InterruptedError';
  constructor(readonly checkpoint: string) {
    super(`interrupted; checkpoint saved to ${checkpoint}. Continue with --resume.`);
  }
}

/**
 * Every action runs through one queue, so a backend switch never lands in the middle of a
 * computation. The busy bar (fixed on screen) shows the running action, its progress and a Cancel
 * button; cancelling takes effect at the action's next step (a GPU kernel cannot be interrupted).
 */
import { WaveMixError } from '@wavemix/core';
import { $ } from '../ui/dom';
import { showError, showMessage } from '../ui/messages';

export class CancelledError extends WaveMixError {
  constructor(label: string) {
    super(`${label}: cancelled`);
  }
}

export interface TaskContext {
  readonly label: string;
  /**
   * Shows `text` in the busy bar, lets the page paint, and throws CancelledError once cancelled.
   * With `fraction` (done so far, 0..1) `text` names a stage ("2/4: wasm") that stays shown
   * beside the finer steps inside it.
   */
  step(text: string, fraction?: number): Promise<void>;
}

export class TaskQueue {
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private current: AbortController | null = null;

  constructor(private readonly currentBackend: () => string | null) {
    $('busy-cancel').addEventListener('click', () => this.current?.abort());
  }

  get busy(): boolean {
    return this.pending > 0;
  }

  /** Queues `fn`; its errors show next to `anchor` (the id of the control's panel or fieldset). */
  run(label: string, anchor: string, fn: (ctx: TaskContext) => Promise<void>): Promise<void> {
    this.pending++;
    this.render(label);
    this.queue = this.queue
      .then(async () => {
        const controller = new AbortController();
        this.current = controller;
        this.render(label);
        let stage = '';
        const ctx: TaskContext = {
          label,
          step: async (text, fraction) => {
            if (controller.signal.aborted) throw new CancelledError(label);
            const progress = $<HTMLProgressElement>('busy-progress');
            if (fraction !== undefined) {
              stage = text;
              progress.value = fraction;
            } else if (!stage) progress.removeAttribute('value');
            $('busy-label').textContent = `${label}: ${stage && stage !== text ? `${stage} · ` : ''}${text}`;
            await new Promise((resolve) => setTimeout(resolve, 0));
            if (controller.signal.aborted) throw new CancelledError(label);
          },
        };
        try {
          await fn(ctx);
        } finally {
          this.current = null;
        }
      })
      .catch((error) => {
        if (error instanceof CancelledError) {
          showMessage(anchor, error.message, 'info');
          return;
        }
        console.error(error);
        showError(anchor, `${label} failed`, error, this.currentBackend());
      })
      .finally(() => {
        this.pending--;
        if (this.pending === 0) $('busy').hidden = true;
      });
    return this.queue;
  }

  /** Resolves once every queued action has finished. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.queue;
  }

  private render(label: string): void {
    $('busy').hidden = false;
    $('busy-label').textContent = `${label}…`;
    $<HTMLProgressElement>('busy-progress').removeAttribute('value');
  }
}

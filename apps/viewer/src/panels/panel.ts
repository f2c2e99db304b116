/**
 * A panel owns one section of the page and its state; the shared store holds only what several
 * panels read. main.ts lists the panels in page order: adding one (e.g. a "Train" panel) is a new
 * file implementing this interface, its section in index.html, and one entry in that list.
 */
import type { TaskContext } from '../app/tasks';

export interface Panel {
  /** Recompute what the panel shows from the store: a new image, or any change after a backend switch. */
  refresh?(ctx: TaskContext): Promise<void>;
  /** The active backend changed: rebuild whatever held tensors on the previous one. */
  backendChanged?(ctx: TaskContext): Promise<void>;
  /** Read-only entries for `window.__wavemix` (tests and the curious). */
  debug?(): Record<string, (...args: never[]) => unknown>;
}

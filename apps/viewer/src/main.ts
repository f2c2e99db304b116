/**
 * The viewer page: plain TypeScript over the DOM of index.html. Each section is a panel that owns
 * its state (panels/); the store holds what several read (app/store.ts). Every action runs through
 * one queue (app/tasks.ts), so a backend switch never lands in the middle of a computation, and
 * every error becomes a message next to the control that caused it while the page stays usable.
 */
import './style.css';
import * as tf from '@tensorflow/tfjs-core';
import { Store } from './app/store';
import { BackendSwitcher } from './app/switcher';
import { TaskQueue, type TaskContext } from './app/tasks';
import { activeKernels, BACKENDS, switchBackend, type BackendName } from './backend';
import { humaniseError } from './logic/humanise';
import { ImagePanel } from './panels/image_panel';
import { ModelPanel } from './panels/model/model_panel';
import type { Panel } from './panels/panel';
import { RunsPanel } from './panels/runs_panel';
import { SubbandsPanel } from './panels/subbands_panel';
import { TimingsPanel } from './panels/timings_panel';
import { TrainPanel } from './panels/train_panel';
import { $ } from './ui/dom';
import { messageLog, showError } from './ui/messages';

const store = new Store();
const tasks = new TaskQueue(() => store.backend);

// `panels` recompute, in this order, when the image or the backend changes; `allPanels` is every
// section (for the test hook). A new section (e.g. a "Train" panel, issue 14) is a Panel in
// `allPanels`, and in `panels` too when it shows something computed from the image or on the backend.
const subbands = new SubbandsPanel(store, tasks);
const models = new ModelPanel(store, tasks, () => timings.modelChanged());
const train = new TrainPanel(tasks, (label, reload) => models.useModel(label, reload));
const panels: Panel[] = [subbands, models, train];
const switcher = new BackendSwitcher(store, panels, () => subbands.perfectReconstructionError);
const imagePanel = new ImagePanel(store, tasks, async (ctx: TaskContext) => {
  timings.imageChanged();
  for (const panel of panels) await panel.refresh?.(ctx);
});
const timings = new TimingsPanel(store, tasks, switcher, models);
const runs = new RunsPanel(tasks);
const allPanels: Panel[] = [imagePanel, subbands, models, timings, runs, train];

$<HTMLSelectElement>('backend').addEventListener('change', (event) => {
  const name = (event.target as HTMLSelectElement).value;
  void tasks.run(`Switching to ${name}`, 'backend-bar', (ctx) => switcher.use(name, ctx));
});
$('banner-dismiss').addEventListener('click', () => ($('banner').hidden = true));

/** A read-only window onto the page for tests and the curious (`window.__wavemix`). */
const debugHook: Record<string, (...args: unknown[]) => unknown> & { ready: boolean } = Object.assign(
  {
    /** Resolves once every queued action has finished. */
    idle: () => tasks.idle(),
    backend: () => store.backend,
    kernels: () => activeKernels(),
    messages: () => messageLog.map((m) => m.text),
    messageLog: () => messageLog.map((m) => ({ ...m })),
    numTensors: () => tf.memory().numTensors,
  },
  ...allPanels.map((panel) => panel.debug?.() ?? {}),
  { ready: false },
);
(globalThis as unknown as { __wavemix: typeof debugHook }).__wavemix = debugHook;

void tasks
  .run('Starting', 'backend-bar', async () => {
    const requested = new URLSearchParams(location.search).get('backend');
    const order = requested ? [requested, ...BACKENDS.filter((b) => b !== requested)] : [...BACKENDS];
    for (const backend of order) {
      try {
        store.backend = await switchBackend(backend);
        break;
      } catch (error) {
        timings.markUnavailable(backend as BackendName, humaniseError(error).summary);
        if (backend === requested) showError('backend-bar', 'Starting', error);
      }
    }
    switcher.renderStatus();
    timings.render();
  })
  .finally(() => {
    debugHook.ready = true;
  });

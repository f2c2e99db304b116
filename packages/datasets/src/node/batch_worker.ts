// Worker thread of `workerExecutor`: opens the dataset (shared memory or loadDataset) and runs
// `prepareBatch` for each request, so augmentation overlaps the training step on the main thread.
import { parentPort } from 'node:worker_threads';
import { InMemoryDataset, prepareBatch, type Dataset, type PrepareConfig } from '@wavemix/datasets';
import { loadDataset } from './load_dataset';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker_protocol';

let ready: Promise<{ dataset: Dataset; config: PrepareConfig }> | null = null;

function open(init: WorkerInit): Promise<{ dataset: Dataset; config: PrepareConfig }> {
  if (init.source.kind === 'memory') {
    const s = init.source;
    const dataset = new InMemoryDataset({
      ...s.info,
      images: new Uint8Array(s.images),
      labels: s.labels ? new Int32Array(s.labels) : undefined,
      targets: s.targets ? new Uint8Array(s.targets) : undefined,
    });
    return Promise.resolve({ dataset, config: init.config });
  }
  return loadDataset(init.source.spec.name, init.source.spec.options).then((dataset) => ({
    dataset,
    config: init.config,
  }));
}

parentPort!.on('message', async (message: WorkerInit | WorkerRequest) => {
  if (message.type === 'init') {
    ready = open(message);
    ready.catch(() => {});
    return;
  }
  const { request } = message;
  try {
    const { dataset, config } = await ready!;
    const prepared = await prepareBatch(dataset, config, request);
    const reply: WorkerReply = { type: 'result', id: request.id, prepared };
    parentPort!.postMessage(reply, [prepared.x.buffer as ArrayBuffer, prepared.y.buffer as ArrayBuffer]);
  } catch (error) {
    const e = error as Error & Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    for (const key of ['file', 'offset', 'expected', 'found', 'argument', 'dataset', 'paths'])
      if (key in e) fields[key] = e[key];
    const reply: WorkerReply = { type: 'error', id: request.id, name: e.name, message: e.message, fields };
    parentPort!.postMessage(reply);
  }
});

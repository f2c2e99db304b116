import type { BatchRequest, DatasetInfo, ImageShape, LoadSpec, PrepareConfig, PreparedBatch } from '@wavemix/datasets';

export type WorkerSource =
  | {
      kind: 'memory';
      info: Omit<DatasetInfo, 'size' | 'imageShape'> & { imageShape: ImageShape };
      images: SharedArrayBuffer;
      labels?: SharedArrayBuffer;
      targets?: SharedArrayBuffer;
    }
  | { kind: 'load'; spec: LoadSpec };

export interface WorkerInit {
  type: 'init';
  source: WorkerSource;
  config: PrepareConfig;
}

export interface WorkerRequest {
  type: 'prepare';
  request: BatchRequest;
}

export type WorkerReply =
  | { type: 'result'; id: number; prepared: PreparedBatch }
  | { type: 'error'; id: number; name: string; message: string; fields: Record<string, unknown> };

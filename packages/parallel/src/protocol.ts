import type { DataType } from '@tensorflow/tfjs';
import type { LossName, LossOptions } from '@wavemix/models/training';

export interface TensorPayload {
  data: Float32Array | Int32Array | Uint8Array;
  shape: number[];
  dtype: DataType;
}

export interface WorkerInit {
  type: 'init';
  /** `model.toJSON(null, false)`: the layers topology. */
  topology: unknown;
  backend: 'wasm' | 'cpu';
  /** Extra modules to import first (registering custom layers or kernels). */
  imports: string[];
  loss: LossName;
  lossOptions: LossOptions;
}

/** Weights that changed since the last message, by index in `model.weights`. */
export interface WeightUpdate {
  index: number;
  data: Float32Array;
}

export interface GradRequest {
  type: 'grads';
  id: number;
  /**
   * Seed of the replica's Math.random for this step, drawn from the main thread's Math.random:
   * tfjs seeds unseeded random ops (dropout masks) from Math.random, so a caller that seeds its
   * own Math.random makes data-parallel steps reproducible too.
   */
  seed: number;
  weights: WeightUpdate[];
  x: TensorPayload;
  y: TensorPayload;
}

export interface PredictRequest {
  type: 'predict';
  id: number;
  weights: WeightUpdate[];
  x: TensorPayload;
}

export type WorkerRequest = WorkerInit | GradRequest | PredictRequest | { type: 'close' };

export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'grads'; id: number; loss: number; correct: number | null; grads: Float32Array[] }
  | { type: 'predict'; id: number; y: TensorPayload }
  | { type: 'error'; id?: number; name: string; message: string; stack?: string };

import * as tf from '@tensorflow/tfjs-core';
import { WaveMixArgumentError } from '@wavemix/core';

/** Typed arrays every metric accepts in place of a tensor. */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array;

/** A tfjs tensor, a typed array or a plain array of numbers (flat, row-major). */
export type MetricInput = tf.Tensor | NumericArray | readonly number[];

export function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

/** Values of an input as a flat array (a tensor is read synchronously). */
export function valuesOf(x: MetricInput, argument: string): ArrayLike<number> {
  if (isTensor(x)) {
    if (x.isDisposed) throw new WaveMixArgumentError(argument, 'tensor is disposed');
    if (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool') {
      throw new WaveMixArgumentError(argument, `dtype ${x.dtype} is not numeric`);
    }
    // sync-read: metric updates are synchronous by contract; pass typed arrays where reads must be async (WebGPU in Node).
    return x.dataSync() as ArrayLike<number>;
  }
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return x as ArrayLike<number>;
  throw new WaveMixArgumentError(argument, 'expected a tf.Tensor, a typed array or an array of numbers');
}

export function lengthOf(x: MetricInput): number {
  return isTensor(x) ? x.size : (x as ArrayLike<number>).length;
}

/** The shape of a tensor input, or `shape` for an array input (checked against its length). */
export function shapeOf(x: MetricInput, argument: string, shape?: readonly number[]): number[] {
  if (isTensor(x)) {
    if (shape !== undefined && !sameShape(shape, x.shape)) {
      throw new WaveMixArgumentError(argument, `shape option [${shape}] differs from tensor shape [${x.shape}]`);
    }
    return x.shape.slice();
  }
  const length = (x as ArrayLike<number>).length;
  if (shape === undefined) return [length];
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== length) {
    throw new WaveMixArgumentError(argument, `shape [${shape}] has ${size} elements but the array has ${length}`);
  }
  return shape.slice();
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function assertPositiveInteger(value: number, argument: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new WaveMixArgumentError(argument, `expected a positive integer, got ${value}`);
  }
}

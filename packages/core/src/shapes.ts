import { WaveMixArgumentError } from './errors';

/** Output size of one Haar level in zero mode: one zero pads an odd edge. */
export function halfSize(n: number): number {
  return Math.ceil(n / 2);
}

/** Deepest pyramid the size allows, PyWavelets' `dwt_max_level(n, 2)` = floor(log2(n)). */
export function maxLevels(height: number, width: number): number {
  return Math.floor(Math.log2(Math.min(height, width)));
}

/** Shapes [b, h_k, w_k, 4c] of each level of a pyramid over an NHWC input. */
export function pyramidShapes(
  shape: readonly [number, number, number, number],
  levels: number,
): Array<[number, number, number, number]> {
  const [b, , , c] = shape;
  let [, h, w] = shape;
  const shapes: Array<[number, number, number, number]> = [];
  for (let level = 0; level < levels; level++) {
    h = halfSize(h);
    w = halfSize(w);
    shapes.push([b, h, w, 4 * c]);
  }
  return shapes;
}

interface TensorLike {
  readonly shape: readonly number[];
  readonly dtype: string;
}

/** A float32 tf.Tensor, else a WaveMixArgumentError naming `argument`. */
export function assertFloat32Tensor(t: TensorLike, argument: string): void {
  if (t == null || !Array.isArray(t.shape)) {
    throw new WaveMixArgumentError(argument, `expected a tf.Tensor, got ${String(t)}`);
  }
  if (t.dtype !== 'float32') throw new WaveMixArgumentError(argument, `expected dtype float32, got ${t.dtype}`);
}

/** A float32 tf.Tensor of exactly `expected` shape; `meaning` says where that shape comes from. */
export function assertFloat32Shape(
  t: TensorLike,
  argument: string,
  expected: readonly number[],
  meaning: string,
): void {
  assertFloat32Tensor(t, argument);
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new WaveMixArgumentError(
      argument,
      `expected shape [${expected.join(', ')}] (${meaning}), got [${t.shape.join(', ')}]`,
    );
  }
}

export function assertNhwcFloat32(x: TensorLike, argument: string): asserts x is TensorLike {
  if (x == null || !Array.isArray(x.shape)) {
    throw new WaveMixArgumentError(argument, `expected a tf.Tensor, got ${String(x)}`);
  }
  if (x.shape.length !== 4) {
    throw new WaveMixArgumentError(
      argument,
      `expected rank 4 (NHWC [batch, height, width, channels]), got rank ${x.shape.length} with shape [${x.shape.join(', ')}]`,
    );
  }
  if (x.dtype !== 'float32') {
    throw new WaveMixArgumentError(argument, `expected dtype float32, got ${x.dtype}`);
  }
  x.shape.forEach((size, axis) => {
    if (!(size > 0)) {
      throw new WaveMixArgumentError(
        argument,
        `every dimension must be positive, got shape [${x.shape.join(', ')}] (axis ${axis} is ${size})`,
      );
    }
  });
}

export function assertLevels(levels: unknown, height: number, width: number): asserts levels is number {
  const max = maxLevels(height, width);
  if (typeof levels !== 'number' || !Number.isInteger(levels) || levels < 1 || levels > max) {
    throw new WaveMixArgumentError(
      'levels',
      `must be an integer from 1 to ${max} for a ${height}x${width} input (floor(log2(min(h, w)))), got ${String(levels)}`,
    );
  }
}

export function assertIdwtInput(y: TensorLike): void {
  assertNhwcFloat32(y, 'y');
  const channels = y.shape[3]!;
  if (channels % 4 !== 0) {
    throw new WaveMixArgumentError(
      'y',
      `channel count must be divisible by 4 (c LL channels, then LH, HL, HH per channel), got ${channels}`,
    );
  }
}

/** Validates `outputSize` against the subband size: each side must be 2n or 2n - 1. */
export function resolveOutputSize(
  bandHeight: number,
  bandWidth: number,
  outputSize: readonly [number, number] | undefined,
): [number, number] {
  if (outputSize === undefined) return [2 * bandHeight, 2 * bandWidth];
  if (!Array.isArray(outputSize) || outputSize.length !== 2) {
    throw new WaveMixArgumentError('outputSize', `expected [height, width], got ${JSON.stringify(outputSize)}`);
  }
  const [oh, ow] = outputSize;
  const fits = (o: number, n: number) => Number.isInteger(o) && (o === 2 * n || o === 2 * n - 1);
  if (!fits(oh, bandHeight) || !fits(ow, bandWidth)) {
    throw new WaveMixArgumentError(
      'outputSize',
      `[${oh}, ${ow}] cannot come from ${bandHeight}x${bandWidth} subbands; each side must be 2n or 2n - 1, i.e. ` +
        `height ${2 * bandHeight - 1} or ${2 * bandHeight}, width ${2 * bandWidth - 1} or ${2 * bandWidth}`,
    );
  }
  return [oh, ow];
}

/** AdamWUpdate's inputs (`param`, `gradient`, `m`, `v`): float32, all of the parameter's shape; names the one that is not. */
export function assertAdamWUpdateInputs(inputs: Readonly<Record<'param' | 'gradient' | 'm' | 'v', TensorLike>>): void {
  const { param } = inputs;
  for (const [name, tensor] of Object.entries(inputs)) {
    if (tensor.shape.join(',') !== param.shape.join(',') || tensor.dtype !== 'float32') {
      throw new WaveMixArgumentError(
        name,
        `AdamWUpdate needs float32 tensors of the parameter's shape [${param.shape.join(', ')}], got ${tensor.dtype} [${tensor.shape.join(', ')}]`,
      );
    }
  }
}

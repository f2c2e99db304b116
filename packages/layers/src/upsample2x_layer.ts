import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import {
  WaveMixArgumentError,
  bilinearUpsample2x as coreBilinearUpsample2x,
  nearestUpsample2x as coreNearestUpsample2x,
} from '@wavemix/core';
import { singleShape, singleTensor, type Kwargs, type LayerArgs, type Shape } from './layer_utils';

export type Upsample2xMode = 'nearest' | 'bilinear';
export const UPSAMPLE_2X_MODES: readonly Upsample2xMode[] = ['nearest', 'bilinear'];

export interface Upsample2xArgs extends LayerArgs {
  mode: Upsample2xMode;
}

/**
 * PyTorch `Upsample(scale_factor=2, mode='bilinear', align_corners=False)`: @wavemix/core's op, a
 * kernel where the backend registers one (cpu, wasm), else interpolation-matrix products. Not tfjs
 * `resizeBilinear(halfPixelCenters=true)`: its forward agrees, but ResizeBilinearGrad ignores
 * `halfPixelCenters` on every backend, so the gradient would be wrong.
 */
export function bilinearUpsample2x(x: tf.Tensor4D): tf.Tensor4D {
  return coreBilinearUpsample2x(x);
}

/**
 * PyTorch `Upsample(scale_factor=2, mode='nearest')`: @wavemix/core's op, a kernel where the backend
 * registers one (cpu, wasm), else resizeNearestNeighbor with the 2x2 block sum as gradient (not
 * tfjs's ResizeNearestNeighborGrad, wrong on cpu for batch > 1 in tfjs 4.22).
 */
export function nearestUpsample2x(x: tf.Tensor4D): tf.Tensor4D {
  return coreNearestUpsample2x(x);
}

/**
 * Parameter-free x2 upsampling of NHWC input, equal to PyTorch `nn.Upsample(scale_factor=2, mode)`
 * (bilinear with align_corners=False). The WaveMix-Lite variant that replaces each feed-forward
 * unit's ConvTranspose2d with it is the README's 3,566-parameter MNIST network.
 */
export class Upsample2x extends layers.Layer {
  static className = 'WaveMixUpsample2x';
  readonly mode: Upsample2xMode;

  constructor(args: Upsample2xArgs) {
    super(args);
    if (!UPSAMPLE_2X_MODES.includes(args.mode)) {
      throw new WaveMixArgumentError(
        'mode',
        `must be one of ${UPSAMPLE_2X_MODES.join(', ')}, got ${JSON.stringify(args.mode)}`,
      );
    }
    this.mode = args.mode;
    this.inputSpec = [{ ndim: 4 }];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [b, h, w, c] = singleShape(inputShape, this.name);
    return [b ?? null, h == null ? null : 2 * h, w == null ? null : 2 * w, c ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(inputs, this.name) as tf.Tensor4D;
      return this.mode === 'nearest' ? nearestUpsample2x(x) : bilinearUpsample2x(x);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), mode: this.mode };
  }
}
serialization.registerClass(Upsample2x, 'WaveMix');

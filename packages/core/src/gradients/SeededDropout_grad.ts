import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { SeededDropout, type SeededDropoutAttrs } from '../kernel_names';
import { runSeededDropout } from '../ops/dispatch';

/** dx = dy with the forward's mask (same seed) and scale. */
export const seededDropoutGradConfig: GradConfig = {
  kernelName: SeededDropout,
  gradFunc: (dy: Tensor | Tensor[], _saved: Tensor[], attrs: NamedAttrMap) => {
    const { rate, seed } = attrs as unknown as SeededDropoutAttrs;
    return { x: () => runSeededDropout(dy as Tensor, rate, seed) };
  },
};

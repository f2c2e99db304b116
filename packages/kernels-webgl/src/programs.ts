/**
 * GLSL programs for the Haar transforms. Each fragment computes one output value; sizes are
 * uniforms (`enableShapeUniforms` plus our own ints), so the shader source does not depend on the
 * shape and tfjs reuses one compiled program across shapes of the same texture layout.
 *
 * Signs follow the spec (section 1): for the 2x2 block [[a, b], [c, d]], LH flips the bottom row,
 * HL flips the right column and HH flips both; every band is scaled by 1/2.
 */
import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';

type Shape4 = [number, number, number, number];

/**
 * One Haar level over the first `channels` channels of `x` (all of them for dwt2d, the LL
 * quarter of the previous level for the pyramid): `[b, h, w, *] -> [b, ceil(h/2), ceil(w/2), 4c]`
 * in the WaveMix layout. Odd edges pair with zeros.
 */
export class HaarForwardProgram implements GPGPUProgram {
  readonly variableNames = ['x'];
  readonly outputShape: number[];
  readonly uniformValues: number[][];
  readonly enableShapeUniforms = true;
  readonly customUniforms = [
    { name: 'channels', type: 'int' as const },
    { name: 'inHeight', type: 'int' as const },
    { name: 'inWidth', type: 'int' as const },
  ];
  readonly userCode = `
    void main() {
      ivec4 coords = getOutputCoords();
      int channel = coords.w;
      int k = channel;
      int band = 0;
      if (channel >= channels) {
        int t = channel - channels;
        k = t / 3;
        band = t - 3 * k + 1;
      }
      int row = 2 * coords.y;
      int col = 2 * coords.z;
      bool hasRight = col + 1 < inWidth;
      bool hasBottom = row + 1 < inHeight;
      float a = getX(coords.x, row, col, k);
      float b = hasRight ? getX(coords.x, row, col + 1, k) : 0.0;
      float c = hasBottom ? getX(coords.x, row + 1, col, k) : 0.0;
      float d = hasRight && hasBottom ? getX(coords.x, row + 1, col + 1, k) : 0.0;
      float rowSign = (band == 1 || band == 3) ? -1.0 : 1.0;
      float colSign = (band >= 2) ? -1.0 : 1.0;
      setOutput(((a + colSign * b) + rowSign * (c + colSign * d)) * 0.5);
    }
  `;

  constructor(
    inputShape: Shape4,
    readonly channels: number,
  ) {
    const [batch, height, width] = inputShape;
    this.outputShape = [batch, Math.ceil(height / 2), Math.ceil(width / 2), 4 * channels];
    this.uniformValues = [[channels], [height], [width]];
  }
}

/** Inverse of one level: `[b, h2, w2, 4c] -> [b, outputHeight, outputWidth, c]` (crops odd sizes). */
export class HaarInverseProgram implements GPGPUProgram {
  readonly variableNames = ['y'];
  readonly outputShape: number[];
  readonly enableShapeUniforms = true;
  readonly customUniforms = [{ name: 'channels', type: 'int' as const }];
  readonly userCode = `
    void main() {
      ivec4 coords = getOutputCoords();
      int i = coords.y / 2;
      int j = coords.z / 2;
      int k = coords.w;
      float rowSign = coords.y - 2 * i == 1 ? -1.0 : 1.0;
      float colSign = coords.z - 2 * j == 1 ? -1.0 : 1.0;
      int high = channels + 3 * k;
      float ll = getY(coords.x, i, j, k);
      float lh = getY(coords.x, i, j, high);
      float hl = getY(coords.x, i, j, high + 1);
      float hh = getY(coords.x, i, j, high + 2);
      setOutput(((ll + rowSign * lh) + colSign * (hl + rowSign * hh)) * 0.5);
    }
  `;
  readonly uniformValues: number[][];

  constructor(bandShape: Shape4, outputHeight: number, outputWidth: number) {
    const [batch, , , channels4] = bandShape;
    const channels = channels4 / 4;
    this.outputShape = [batch, outputHeight, outputWidth, channels];
    this.uniformValues = [[channels]];
  }
}

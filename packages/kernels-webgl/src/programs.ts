/**
 * GLSL programs for the Haar transforms on packed textures (tfjs's default layout: a texel holds
 * 2x2 values of the last two dimensions, here two columns x two channels). Sizes are uniforms
 * (`enableShapeUniforms` plus our own ints), so the shader source does not depend on the shape and
 * tfjs reuses one compiled program across shapes of the same texture layout.
 *
 * Signs follow the spec (section 1): for the 2x2 block [[a, b], [c, d]], LH flips the bottom row,
 * HL flips the right column and HH flips both; every band is scaled by 1/2.
 */
import type { GPGPUProgram } from '@tensorflow/tfjs-backend-webgl';

type Shape4 = [number, number, number, number];

/**
 * One Haar level over the first `channels` channels of `x` (all of them for dwt2d, the LL quarter
 * of the previous level for the pyramid): `[b, h, w, *] -> [b, ceil(h/2), ceil(w/2), 4c]` in the
 * WaveMix layout; odd edges pair with zeros. One fragment writes a texel of four outputs and reads,
 * per output, the texel holding its block's top pair and the one holding the bottom pair, so it
 * runs a quarter of the fragments, and half the fetches per value, of a one-value-per-fragment
 * program. Packed texel components: r = (w, c), g = (w, c + 1), b = (w + 1, c), a = (w + 1, c + 1).
 */
export class HaarForwardPackedProgram implements GPGPUProgram {
  readonly variableNames = ['x'];
  readonly outputShape: number[];
  readonly uniformValues: number[][];
  readonly packedInputs = true;
  readonly packedOutput = true;
  readonly enableShapeUniforms = true;
  readonly customUniforms = [
    { name: 'channels', type: 'int' as const },
    { name: 'inHeight', type: 'int' as const },
    { name: 'inWidth', type: 'int' as const },
    { name: 'outWidth', type: 'int' as const },
    { name: 'outChannels', type: 'int' as const },
  ];
  readonly userCode = `
    float band(int batch, int i, int j, int channel) {
      int k = channel;
      int which = 0;
      if (channel >= channels) {
        int t = channel - channels;
        k = t / 3;
        which = t - 3 * k + 1;
      }
      int row = 2 * i;
      int col = 2 * j;
      bool oddChannel = k - 2 * (k / 2) == 1;
      bool hasRight = col + 1 < inWidth;
      vec4 top = getX(batch, row, col, k);
      vec4 bottom = row + 1 < inHeight ? getX(batch, row + 1, col, k) : vec4(0.0);
      float a = oddChannel ? top.g : top.r;
      float b = hasRight ? (oddChannel ? top.a : top.b) : 0.0;
      float c = oddChannel ? bottom.g : bottom.r;
      float d = hasRight ? (oddChannel ? bottom.a : bottom.b) : 0.0;
      float rowSign = (which == 1 || which == 3) ? -1.0 : 1.0;
      float colSign = (which >= 2) ? -1.0 : 1.0;
      return ((a + colSign * b) + rowSign * (c + colSign * d)) * 0.5;
    }

    void main() {
      ivec4 rc = getOutputCoords();
      bool nextChannel = rc.w + 1 < outChannels;
      bool nextColumn = rc.z + 1 < outWidth;
      vec4 result = vec4(band(rc.x, rc.y, rc.z, rc.w), 0.0, 0.0, 0.0);
      if (nextChannel) result.g = band(rc.x, rc.y, rc.z, rc.w + 1);
      if (nextColumn) {
        result.b = band(rc.x, rc.y, rc.z + 1, rc.w);
        if (nextChannel) result.a = band(rc.x, rc.y, rc.z + 1, rc.w + 1);
      }
      setOutput(result);
    }
  `;

  constructor(
    inputShape: Shape4,
    readonly channels: number,
  ) {
    const [batch, height, width] = inputShape;
    const outWidth = Math.ceil(width / 2);
    this.outputShape = [batch, Math.ceil(height / 2), outWidth, 4 * channels];
    this.uniformValues = [[channels], [height], [width], [outWidth], [4 * channels]];
  }
}

/**
 * Inverse of one level: `[b, h2, w2, 4c] -> [b, outputHeight, outputWidth, c]` (crops odd sizes).
 * One fragment writes a texel of four outputs (two columns of one 2x2 block x two channels),
 * reading each channel's four bands from the packed subbands.
 */
export class HaarInversePackedProgram implements GPGPUProgram {
  readonly variableNames = ['y'];
  readonly outputShape: number[];
  readonly uniformValues: number[][];
  readonly packedInputs = true;
  readonly packedOutput = true;
  readonly enableShapeUniforms = true;
  readonly customUniforms = [
    { name: 'channels', type: 'int' as const },
    { name: 'outWidth', type: 'int' as const },
  ];
  readonly userCode = `
    // y at (i, j, channel), picked from the packed texel that holds it.
    float subband(int batch, int i, int j, int channel) {
      vec4 t = getY(batch, i, j, channel);
      bool oddColumn = j - 2 * (j / 2) == 1;
      bool oddChannel = channel - 2 * (channel / 2) == 1;
      return oddColumn ? (oddChannel ? t.a : t.b) : (oddChannel ? t.g : t.r);
    }

    // The left and right values of row (i, rowSign) of channel k's block at column j.
    vec2 blockRow(int batch, int i, int j, int k, float rowSign) {
      int high = channels + 3 * k;
      float s = subband(batch, i, j, k) + rowSign * subband(batch, i, j, high);
      float d = subband(batch, i, j, high + 1) + rowSign * subband(batch, i, j, high + 2);
      return vec2(s + d, s - d) * 0.5;
    }

    void main() {
      ivec4 rc = getOutputCoords();
      int i = rc.y / 2;
      float rowSign = rc.y - 2 * i == 1 ? -1.0 : 1.0;
      int j = rc.z / 2;
      vec2 first = blockRow(rc.x, i, j, rc.w, rowSign);
      vec2 second = rc.w + 1 < channels ? blockRow(rc.x, i, j, rc.w + 1, rowSign) : vec2(0.0);
      bool nextColumn = rc.z + 1 < outWidth;
      setOutput(vec4(first.x, second.x, nextColumn ? first.y : 0.0, nextColumn ? second.y : 0.0));
    }
  `;

  constructor(bandShape: Shape4, outputHeight: number, outputWidth: number) {
    const [batch, , , channels4] = bandShape;
    const channels = channels4 / 4;
    this.outputShape = [batch, outputHeight, outputWidth, channels];
    this.uniformValues = [[channels], [outputWidth]];
  }
}

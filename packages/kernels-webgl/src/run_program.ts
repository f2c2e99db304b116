import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { env, type TensorInfo } from '@tensorflow/tfjs-core';
import { WaveMixKernelLimitError } from '@wavemix/core';
import { WaveMixShaderError } from './errors';
import { texelShape } from './texture_shape';

const BACKEND = 'webgl';

/**
 * Throws WaveMixKernelLimitError when a tensor of `shape` needs a texture larger than
 * WEBGL_MAX_TEXTURE_SIZE in its layout (`packed` or not). tfjs would otherwise fail later with a
 * generic error, or a driver that clamps silently would return garbage. Uses tfjs's own layout rule.
 */
export function assertTextureFits(kernelName: string, role: string, shape: readonly number[], packed = false): void {
  const maxTextureSize = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  const [rows, columns] = texelShape(shape, packed);
  if (!(rows <= maxTextureSize && columns <= maxTextureSize)) {
    throw new WaveMixKernelLimitError(
      kernelName,
      BACKEND,
      `${role} of shape [${shape.join(', ')}] needs a ${rows}x${columns} ${packed ? 'packed ' : ''}texture, over the WebGL texture ` +
        `size limit WEBGL_MAX_TEXTURE_SIZE = ${maxTextureSize}; split the batch or use a smaller input`,
    );
  }
}

/** A program plus the values of its `customUniforms`, in order. */
export interface WaveMixWebGLProgram extends GPGPUProgram {
  readonly uniformValues?: number[][];
}

/**
 * Runs one of our programs on the WebGL backend after checking texture limits. A GLSL compile
 * failure (tfjs checks COMPILE_STATUS synchronously) is rethrown as WaveMixShaderError naming the
 * kernel, so it can never turn into an all-zero output.
 */
export function runWaveMixProgram(
  backend: MathBackendWebGL,
  kernelName: string,
  program: WaveMixWebGLProgram,
  inputs: TensorInfo[],
): TensorInfo {
  inputs.forEach((input, i) =>
    assertTextureFits(kernelName, `input ${program.variableNames[i]}`, input.shape, program.packedInputs),
  );
  assertTextureFits(kernelName, 'output', program.outputShape, program.packedOutput);
  try {
    return backend.runWebGLProgram(program, inputs, 'float32', program.uniformValues);
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    if (/compile|link/i.test(message)) {
      throw new WaveMixShaderError(kernelName, BACKEND, program.constructor.name, message);
    }
    throw error;
  }
}

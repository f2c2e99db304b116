import { WaveMixError } from '@wavemix/core';

/** A WaveMix GPU program failed to compile or validate; the kernel refuses to return its output. */
export class WaveMixShaderError extends WaveMixError {
  constructor(
    readonly kernelName: string,
    readonly backendName: string,
    readonly programName: string,
    detail: string,
  ) {
    super(`${kernelName} on ${backendName}: program ${programName} failed to compile: ${detail}`);
  }
}

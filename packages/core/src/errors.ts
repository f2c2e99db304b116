/** Base class of every error WaveMix.js throws on purpose. */
export class WaveMixError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A caller passed a bad argument; `argument` names it (e.g. `x`, `levels`, `outputSize`). */
export class WaveMixArgumentError extends WaveMixError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
  }
}

/** A backend cannot run a kernel for this input (e.g. it exceeds a texture or buffer limit). */
export class WaveMixKernelLimitError extends WaveMixError {
  constructor(
    readonly kernelName: string,
    readonly backendName: string,
    message: string,
  ) {
    super(`${kernelName} on ${backendName}: ${message}`);
  }
}

/** A GPU program of a WaveMix kernel failed to compile or validate; the kernel refuses to return its output. */
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

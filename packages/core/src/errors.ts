/**
 * The error hierarchy: every error WaveMix.js throws on purpose extends `WaveMixError`. Each
 * instance carries, under `Symbol.for('wavemix.error')`, the names of its class chain, so
 * `SomeError.isInstance(value)` holds even when the value comes from another copy of the package
 * (ESM and CJS builds loaded side by side, two bundles), where `instanceof` fails.
 */
const BRAND = Symbol.for('wavemix.error');

type ErrorClass = abstract new (...args: never[]) => unknown;

/** A class's `errorName` if it declares one (minifiers rename classes, not strings), else its name. */
function stableName(errorClass: ErrorClass): string {
  return Object.hasOwn(errorClass, 'errorName')
    ? (errorClass as unknown as { errorName: string }).errorName
    : errorClass.name;
}

export class WaveMixError extends Error {
  /** The stable `name` of this class's errors; each subclass declares its own. */
  static readonly errorName: string = 'WaveMixError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = stableName(new.target);
    const chain: string[] = [];
    for (let c: ErrorClass | null = new.target; c && c !== Error; c = Object.getPrototypeOf(c) as ErrorClass | null) {
      chain.push(stableName(c));
    }
    // The brand: this error's class names up to WaveMixError, read by `isInstance`.
    Object.defineProperty(this, BRAND, { value: Object.freeze(chain), enumerable: false });
  }

  /**
   * True for an instance of this class or a subclass, from any copy of the package: checks the
   * `Symbol.for('wavemix.error')` brand and this class's name in it (not the prototype chain).
   */
  static isInstance<T extends abstract new (...args: never[]) => WaveMixError>(
    this: T,
    value: unknown,
  ): value is InstanceType<T> {
    if (value === null || typeof value !== 'object') return false;
    const chain = (value as Record<symbol, unknown>)[BRAND];
    // biome-ignore lint/complexity/noThisInStatic: inherited by every subclass; `this` is the class it is called on.
    return Array.isArray(chain) && chain.includes(stableName(this));
  }
}

/** A caller passed a bad argument; `argument` names it (e.g. `x`, `levels`, `outputSize`). */
export class WaveMixArgumentError extends WaveMixError {
  static override readonly errorName: string = 'WaveMixArgumentError';

  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
  }
}

/**
 * Reading an untrusted input would exceed a resource budget (bytes materialised or inflated,
 * entries, nesting). `limit` and `requested` are in `unit`; `option` names the setting that raises
 * the budget, where there is one.
 */
export class WaveMixBudgetError extends WaveMixError {
  static override readonly errorName: string = 'WaveMixBudgetError';

  constructor(
    message: string,
    readonly limit: number,
    readonly requested: number,
    readonly unit: string,
    readonly option?: string,
  ) {
    super(
      `${message}: ${requested} ${unit} needed, the budget is ${limit}${option ? ` (raise it with the '${option}' option)` : ''}`,
    );
  }
}

/** A backend cannot run a kernel for this input (e.g. it exceeds a texture or buffer limit). */
export class WaveMixKernelLimitError extends WaveMixError {
  static override readonly errorName: string = 'WaveMixKernelLimitError';

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
  static override readonly errorName: string = 'WaveMixShaderError';

  constructor(
    readonly kernelName: string,
    readonly backendName: string,
    readonly programName: string,
    detail: string,
  ) {
    super(`${kernelName} on ${backendName}: program ${programName} failed to compile: ${detail}`);
  }
}

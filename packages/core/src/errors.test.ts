import { WaveMixArgumentError, WaveMixBudgetError, WaveMixError, WaveMixKernelLimitError } from './errors';
import { SafetensorsError } from './safetensors';

/** A second copy of the errors module, as an app that loads both the ESM and the CJS build has. */
function secondCopy(): typeof import('./errors') {
  let copy: typeof import('./errors') | undefined;
  jest.isolateModules(() => {
    copy = require('./errors') as typeof import('./errors');
  });
  return copy!;
}

describe('WaveMixError hierarchy', () => {
  it('names each error after its class and brands it with its class chain', () => {
    const error = new WaveMixArgumentError('x', 'must be 4-D');
    expect(error.name).toBe('WaveMixArgumentError');
    expect(error.message).toBe('x: must be 4-D');
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('wavemix.error')]).toEqual([
      'WaveMixArgumentError',
      'WaveMixError',
    ]);
    expect(new SafetensorsError('bad', 3).name).toBe('SafetensorsError');
  });

  it('isInstance checks the class (and its subclasses), not just any WaveMix error', () => {
    const argument = new WaveMixArgumentError('x', 'bad');
    expect(WaveMixError.isInstance(argument)).toBe(true);
    expect(WaveMixArgumentError.isInstance(argument)).toBe(true);
    expect(WaveMixKernelLimitError.isInstance(argument)).toBe(false);
    expect(WaveMixError.isInstance(new Error('plain'))).toBe(false);
    expect(WaveMixError.isInstance(null)).toBe(false);
    expect(WaveMixError.isInstance('WaveMixError')).toBe(false);
    // A plain object that merely has the right name is not branded.
    expect(WaveMixError.isInstance({ name: 'WaveMixError', message: 'x' })).toBe(false);
  });

  it('isInstance survives a second copy of the module, where instanceof does not', () => {
    const copy = secondCopy();
    expect(copy.WaveMixError).not.toBe(WaveMixError);
    const foreign = new copy.WaveMixBudgetError('weights', 10, 20, 'bytes', 'maxBytes');
    expect(foreign instanceof WaveMixError).toBe(false);
    expect(WaveMixError.isInstance(foreign)).toBe(true);
    expect(WaveMixBudgetError.isInstance(foreign)).toBe(true);
    expect(WaveMixArgumentError.isInstance(foreign)).toBe(false);
    expect(copy.WaveMixBudgetError.isInstance(new WaveMixBudgetError('w', 1, 2, 'bytes'))).toBe(true);
  });

  it('takes names from errorName, so a minifier renaming classes changes neither name nor isInstance', () => {
    // What a minifier leaves of `class DataLoadError extends WaveMixArgumentError { static errorName = 'DataLoadError' }`.
    class e extends WaveMixArgumentError {
      static override readonly errorName = 'DataLoadError';
    }
    const error = new e('x', 'bad');
    expect(error.name).toBe('DataLoadError');
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('wavemix.error')]).toEqual([
      'DataLoadError',
      'WaveMixArgumentError',
      'WaveMixError',
    ]);
    expect(e.isInstance(error)).toBe(true);
    expect(e.isInstance(new WaveMixArgumentError('x', 'bad'))).toBe(false);
    // A subclass without errorName falls back to its class name (not its parent's errorName).
    class UndeclaredError extends WaveMixArgumentError {}
    expect(new UndeclaredError('x', 'bad').name).toBe('UndeclaredError');
  });

  it('keeps a cause and says how to raise a budget', () => {
    const cause = new Error('inner');
    expect(new WaveMixError('outer', { cause }).cause).toBe(cause);
    const budget = new WaveMixBudgetError('tensor data', 100, 400, 'bytes', 'maxBytes');
    expect(budget.message).toBe(
      "tensor data: 400 bytes needed, the budget is 100 (raise it with the 'maxBytes' option)",
    );
    expect([budget.limit, budget.requested]).toEqual([100, 400]);
  });
});

import { WaveMixStateDictError } from '@wavemix/models';
import { humaniseError, SUMMARY_LIMIT } from './humanise';

describe('humaniseError', () => {
  it('replaces the raw WebGPU dispatch limit by what to do, keeping the original as details', () => {
    const raw = new Error('Dispatch size exceeds WebGPU limits in Y or Z dimension.');
    const human = humaniseError(raw, { backend: 'webgpu' });
    expect(human.summary).toBe(
      'The input is too large for the GPU on webgpu (a WebGPU/WebGL size limit was exceeded). Use a smaller image or input size, or switch to the wasm or cpu backend.',
    );
    expect(human.summary).not.toContain('Dispatch size');
    expect(human.details).toBe(raw.message);
    expect(
      humaniseError(
        new Error('Requested texture size [20000x2] greater than WebGL maximum on this browser / GPU [16384x16384].'),
      ).summary,
    ).toMatch(/^The input is too large for the GPU \(/);
  });

  it('summarises a state_dict mismatch by counts and the first keys', () => {
    const missing = Array.from({ length: 40 }, (_, i) => `layers.2.block.${i}.weight`);
    const error = new WaveMixStateDictError(
      missing,
      ['head.9.bias'],
      [{ key: 'head.0.weight', expected: [16, 10], got: [32, 10] }],
      'model.safetensors',
    );
    expect(error.message.length).toBeGreaterThan(900);
    const human = humaniseError(error);
    expect(human.summary).toBe(
      'model.safetensors: the weights do not fit this model configuration: 40 missing keys (layers.2.block.0.weight, layers.2.block.1.weight, layers.2.block.2.weight, …); ' +
        '1 unexpected keys (head.9.bias); 1 shape mismatches (first: head.0.weight expected [16, 10] got [32, 10]). Is this the config the weights were trained with?',
    );
    expect(human.details).toBe(error.message);
  });

  it('keeps short messages as they are and cuts long ones at a word', () => {
    expect(humaniseError(new Error('notes.txt is not an image'))).toEqual({
      summary: 'notes.txt is not an image',
      details: null,
    });
    const long = `${'word '.repeat(100)}end`;
    const human = humaniseError(new Error(long));
    expect(human.summary.length).toBeLessThanOrEqual(SUMMARY_LIMIT + 2);
    expect(human.summary.endsWith(' …')).toBe(true);
    expect(human.details).toBe(long);
    expect(humaniseError('plain string')).toEqual({ summary: 'plain string', details: null });
    // An error that carries its own details keeps its (already human) message whole.
    const own = Object.assign(new Error(long), { details: 'raw' });
    expect(humaniseError(own)).toEqual({ summary: long, details: 'raw' });
  });

  it('names lost GPU contexts, memory and network failures', () => {
    expect(humaniseError(new Error('WebGL context lost.'), { backend: 'webgl' }).summary).toMatch(
      /^The GPU context on webgl was lost/,
    );
    expect(humaniseError(new Error('Failed to allocate 4 GB')).summary).toMatch(/^Out of memory\./);
    expect(humaniseError(new TypeError('fetch failed')).summary).toBe(
      'Could not download a file the page needs (fetch failed).',
    );
  });
});

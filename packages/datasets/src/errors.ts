import { WaveMixArgumentError, WaveMixError } from '@wavemix/core';

/**
 * A dataset file is not what its reader expects. `file` names it (for a gzipped file, the byte
 * offset is in the decompressed stream and the name says so), `offset` is the byte where the
 * problem was found and `expected` says what should have been there.
 */
export class DatasetFormatError extends WaveMixError {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly expected: string,
    readonly found?: string,
  ) {
    super(`${file}: at byte ${offset}: expected ${expected}${found === undefined ? '' : `, found ${found}`}`);
  }
}

/** A dataset's files are not where the caller (or the default location) said. */
export class DatasetNotFoundError extends WaveMixError {
  constructor(
    readonly dataset: string,
    readonly paths: readonly string[],
    hint = '',
  ) {
    super(`${dataset}: not found; looked for ${paths.join(', ')}${hint ? `. ${hint}` : ''}`);
  }
}

export { WaveMixArgumentError as DatasetArgumentError };

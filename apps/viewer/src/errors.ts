import { WaveMixError } from '@wavemix/core';

/** Something the user gave the page (a file, a config, overrides) cannot be used; the message says why. */
export class ViewerInputError extends WaveMixError {
  constructor(
    message: string,
    /** The full original text behind a shortened message (shown under "details"). */
    readonly details: string | null = null,
  ) {
    super(message);
  }
}

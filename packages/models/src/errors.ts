import { WaveMixError } from '@wavemix/core';

/** A zip container (a torch.save `.pth`) is malformed or uses a feature we do not read. */
export class WaveMixZipError extends WaveMixError {
  static override readonly errorName: string = 'WaveMixZipError';

  constructor(
    message: string,
    /** Byte offset in the file. */
    readonly offset: number,
    /** The entry involved, where there is one. */
    readonly entry?: string,
  ) {
    super(`zip${entry ? ` entry '${entry}'` : ''}: ${message} (at byte ${offset})`);
  }
}

/** A pickle is malformed or asks for something outside the state_dict subset (e.g. a foreign global). */
export class WaveMixPickleError extends WaveMixError {
  static override readonly errorName: string = 'WaveMixPickleError';

  constructor(
    message: string,
    /** Byte offset inside the pickle stream. */
    readonly offset: number,
  ) {
    super(`pickle: ${message} (at pickle byte ${offset})`);
  }
}

/**
 * A tensor record in a `.pth` pickle cannot describe data inside its storage (negative size or
 * stride, an element outside the storage, more elements than the storage holds without a zero
 * stride). Thrown before any data is read.
 */
export class WaveMixTensorRecordError extends WaveMixPickleError {
  static override readonly errorName: string = 'WaveMixTensorRecordError';

  constructor(
    problem: string,
    readonly key: string,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    readonly storageOffset: number,
    /** Elements the storage holds. */
    readonly storageSize: number,
    offset: number,
  ) {
    super(
      `tensor '${key}' (size [${shape.join(', ')}], stride [${stride.join(', ')}], storage offset ${storageOffset}, ` +
        `storage of ${storageSize} elements): ${problem}`,
      offset,
    );
  }
}

export interface ShapeMismatch {
  key: string;
  expected: number[];
  got: number[];
}

/** A state_dict does not fit the model: every problem at once. */
export class WaveMixStateDictError extends WaveMixError {
  static override readonly errorName: string = 'WaveMixStateDictError';

  constructor(
    readonly missing: string[],
    readonly unexpected: string[],
    readonly mismatched: ShapeMismatch[],
    source?: string,
  ) {
    const parts: string[] = [];
    if (missing.length) parts.push(`missing keys (${missing.length}): ${missing.join(', ')}`);
    if (unexpected.length) parts.push(`unexpected keys (${unexpected.length}): ${unexpected.join(', ')}`);
    if (mismatched.length) {
      parts.push(
        `shape mismatches (${mismatched.length}): ` +
          mismatched.map((m) => `${m.key} expected [${m.expected.join(', ')}] got [${m.got.join(', ')}]`).join('; '),
      );
    }
    super(`${source ? `${source}: ` : ''}state_dict does not fit the model: ${parts.join('. ')}`);
  }
}

/** The bytes are neither safetensors nor a torch.save zip. */
export class WaveMixFormatError extends WaveMixError {
  static override readonly errorName: string = 'WaveMixFormatError';
}

/** A model folder (model.json + weight files) is unsafe or inconsistent; `file` is the file involved. */
export class WaveMixModelFolderError extends WaveMixError {
  static override readonly errorName: string = 'WaveMixModelFolderError';

  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** WaveMix metadata loaded with a model (`userDefinedMetadata.wavemix`) is invalid; `field` names the part. */
export class WaveMixMetadataError extends WaveMixError {
  static override readonly errorName: string = 'WaveMixMetadataError';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`WaveMix metadata ${field}: ${message}`);
  }
}

/** Argument helpers shared by the bench's command lines (wavemix-bench, webgpu-step-profile). */
import { WaveMixError } from '@wavemix/core';

/** A bad command line: the CLIs print it with their usage and exit 2. */
export class UsageError extends WaveMixError {}

/** The value after the flag at `argv[i]`; a missing one (end, or another flag) is a UsageError. */
export function flagValue(argv: readonly string[], i: number, flag: string): string {
  const v = argv[i + 1];
  if (v == null || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
  return v;
}

/** `v` as an integer >= `min`, or a UsageError naming the flag. */
export function integerFlag(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got ${v}`);
  return n;
}

import type { Options } from 'tsup';
export function preset(entry: Record<string, string>, overrides?: Options): Options;

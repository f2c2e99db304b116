import { DatasetFormatError } from '../errors';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 text, naming the file when it is not valid UTF-8. */
export function decodeText(bytes: Uint8Array | string, file: string): string {
  if (typeof bytes === 'string') return bytes;
  try {
    return decoder.decode(bytes);
  } catch {
    let offset = 0;
    // Find the first invalid byte for the message (decode grows until it fails).
    for (let step = 1 << 16; step > 0; step >>= 1) {
      while (offset + step <= bytes.length) {
        try {
          decoder.decode(bytes.subarray(0, offset + step));
          offset += step;
        } catch {
          break;
        }
      }
    }
    throw new DatasetFormatError(file, offset, 'UTF-8 text');
  }
}

/** Non-empty, trimmed lines with the byte offset of each. */
export function textLines(
  bytes: Uint8Array | string,
  file: string,
): Array<{ text: string; offset: number; line: number }> {
  const text = decodeText(bytes, file);
  const encoder = new TextEncoder();
  const out: Array<{ text: string; offset: number; line: number }> = [];
  let offset = 0;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed) out.push({ text: trimmed, offset, line: i + 1 });
    offset += encoder.encode(raw).length + 1;
  });
  return out;
}

/**
 * Class names, one per non-empty line (CIFAR's `batches.meta.txt`, `fine_label_names.txt`,
 * STL-10's `class_names.txt`). With `expected`, the count must match.
 */
export function parseLabelNames(
  bytes: Uint8Array | string,
  options: { file?: string; expected?: number } = {},
): string[] {
  const file = options.file ?? '<label names>';
  const names = textLines(bytes, file).map((l) => l.text);
  if (options.expected !== undefined && names.length !== options.expected) {
    const size = typeof bytes === 'string' ? new TextEncoder().encode(bytes).length : bytes.length;
    throw new DatasetFormatError(file, size, `${options.expected} class names, one per line`, `${names.length}`);
  }
  return names;
}

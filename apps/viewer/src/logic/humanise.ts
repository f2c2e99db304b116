/**
 * Turns what a library throws into a sentence a first-time user can act on. Raw tfjs / WebGPU
 * messages ("Dispatch size exceeds WebGPU limits") and long key lists (a state_dict that does not
 * fit: hundreds of keys) become a short summary; the original text stays available as `details`
 * (the page shows it in an expandable <details>).
 */
export interface HumanError {
  summary: string;
  /** The full original message when the summary shortened or replaced it. */
  details: string | null;
}

/** Longest summary shown before the rest moves into `details`. */
export const SUMMARY_LIMIT = 240;

const GPU_LIMIT =
  /dispatch size exceeds|exceeds (the )?(webgpu|maximum|max) .*limit|max(imum)? texture size|maxTextureSize|too large for (a )?texture|requested texture size/i;
const OUT_OF_MEMORY =
  /out of memory|\boom\b|failed to allocate|allocation failed|RangeError: Array buffer allocation|could not allocate/i;
const CONTEXT_LOST = /context (was )?lost|CONTEXT_LOST|device (was )?lost|GPUDevice.*lost/i;
const NETWORK = /failed to fetch|fetch failed|NetworkError|HTTP \d{3}/i;

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** "N missing keys (a, b, …)": a key list cut to its first `shown` entries. */
function keyList(count: string, what: string, keys: string, shown = 3): string {
  const list = keys.split(/,\s*/).filter(Boolean);
  const head = list.slice(0, shown).join(', ');
  return `${count} ${what} (${head}${list.length > shown ? ', …' : ''})`;
}

/** A state_dict / weights mismatch, summarised by counts and the first keys of each kind. */
function summariseStateDict(text: string): string | null {
  const at = text.indexOf('state_dict does not fit the model:');
  if (at < 0) return null;
  const body = text.slice(at + 'state_dict does not fit the model:'.length);
  const parts: string[] = [];
  const missing = /missing keys \((\d+)\): ([^.]*(?:\.[^ .][^.]*)*?)(?:\. (?=unexpected|shape)|$)/.exec(body);
  const unexpected = /unexpected keys \((\d+)\): ([^.]*(?:\.[^ .][^.]*)*?)(?:\. (?=shape)|$)/.exec(body);
  const mismatched = /shape mismatches \((\d+)\): ([^;]*)/.exec(body);
  if (missing) parts.push(keyList(missing[1]!, 'missing keys', missing[2]!));
  if (unexpected) parts.push(keyList(unexpected[1]!, 'unexpected keys', unexpected[2]!));
  if (mismatched) parts.push(`${mismatched[1]} shape mismatches (first: ${mismatched[2]!.trim()})`);
  const prefix = text.slice(0, at).replace(/:\s*$/, '');
  const summary = `the weights do not fit this model configuration: ${parts.join('; ')}. Is this the config the weights were trained with?`;
  return prefix ? `${prefix}: ${summary}` : summary;
}

export function humaniseError(error: unknown, context: { backend?: string | null } = {}): HumanError {
  const text = messageOf(error);
  // Already written for people (the page's own errors), with the raw text kept aside.
  const given = (error as { details?: unknown } | null)?.details;
  if (typeof given === 'string') return { summary: text, details: given };
  const on = context.backend ? ` on ${context.backend}` : '';
  let summary: string | null = null;
  if (GPU_LIMIT.test(text)) {
    summary = `The input is too large for the GPU${on} (a WebGPU/WebGL size limit was exceeded). Use a smaller image or input size, or switch to the wasm or cpu backend.`;
  } else if (OUT_OF_MEMORY.test(text)) {
    summary = `Out of memory${on}. Use a smaller image, input size or model, or reload the page to free memory.`;
  } else if (CONTEXT_LOST.test(text)) {
    summary = `The GPU context${on} was lost, so its results cannot be trusted. Switch to wasm or cpu, or reload the page.`;
  } else if (NETWORK.test(text)) {
    summary = `Could not download a file the page needs (${text.length > 120 ? `${text.slice(0, 120)}…` : text}).`;
  } else {
    summary = summariseStateDict(text);
  }
  if (summary !== null) return { summary, details: text };
  if (text.length <= SUMMARY_LIMIT) return { summary: text, details: null };
  const cut = text.lastIndexOf(' ', SUMMARY_LIMIT);
  return { summary: `${text.slice(0, cut > SUMMARY_LIMIT / 2 ? cut : SUMMARY_LIMIT)} …`, details: text };
}

/**
 * Pre-tokenization: the text is first cut on special tokens (which are never merged across),
 * then each ordinary stretch is split into "words" by GPT-2's regex. BPE merges never cross a
 * word boundary, so " the" and "the" are learned separately and a merge cannot glue a word to
 * the punctuation after it.
 */

/** GPT-2's pre-tokenizer pattern as published (tiktoken `gpt2` / `r50k_base`, CS336 assignment 1). */
export const GPT2_SPLIT_PATTERN = String.raw`'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/**
 * Unicode White_Space, which is what `\s` means in tiktoken (Rust regex) and Python's `regex`.
 * JavaScript's `\s` differs on two characters: it includes U+FEFF (BOM) and lacks U+0085 (NEL).
 */
const WS = String.raw`\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;

/** GPT2_SPLIT_PATTERN with `\s` spelled out as Unicode White_Space, for JavaScript. */
export const GPT2_SPLIT_PATTERN_JS = `'(?:[sdmt]|ll|ve|re)| ?\\p{L}+| ?\\p{N}+| ?[^${WS}\\p{L}\\p{N}]+|[${WS}]+(?![^${WS}])|[${WS}]+`;

/** A fresh global, Unicode-aware RegExp for GPT-2 pre-tokenization (callers own `lastIndex`). */
export function gpt2SplitRegex(): RegExp {
  return new RegExp(GPT2_SPLIT_PATTERN_JS, 'gu');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * A RegExp matching any of `specials`, longest first, so that when two special tokens overlap
 * (`<|a|>` and `<|a|><|b|>`) the longer one wins. Returns null for an empty list.
 */
export function specialsRegex(specials: Iterable<string>): RegExp | null {
  const list = [...new Set(specials)].filter((s) => s.length > 0);
  if (list.length === 0) return null;
  list.sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return new RegExp(list.map(escapeRegex).join('|'), 'g');
}

/** One stretch of text: ordinary text to pre-tokenize, or a whole special token. */
export interface Segment {
  text: string;
  special: boolean;
  /** UTF-16 offset of the segment in the input. */
  start: number;
}

/** Splits `text` on special tokens (keeping them as their own segments; empty stretches dropped). */
export function splitOnSpecials(text: string, specials: RegExp | null): Segment[] {
  if (!specials) return text ? [{ text, special: false, start: 0 }] : [];
  const out: Segment[] = [];
  let last = 0;
  specials.lastIndex = 0;
  for (let m = specials.exec(text); m; m = specials.exec(text)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), special: false, start: last });
    out.push({ text: m[0], special: true, start: m.index });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), special: false, start: last });
  return out;
}

/** The GPT-2 pre-tokens of `text` (no special-token handling), e.g. "I'll go" → ["I", "'ll", " go"]. */
export function pretokenize(text: string): string[] {
  return text.match(gpt2SplitRegex()) ?? [];
}

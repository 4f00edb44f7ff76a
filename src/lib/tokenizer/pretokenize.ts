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

// ASCII character classes for the fast scanner: letter, number, whitespace, other.
const L = 1;
const N = 2;
const W = 3;
const O = 4;
const ASCII = new Uint8Array(128).map((_, c) =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? L : c >= 48 && c <= 57 ? N : c === 32 || (c >= 9 && c <= 13) ? W : O,
);

/**
 * Calls `onPiece(start, end)` for each GPT-2 pre-token of `text`, in order — exactly the matches
 * of `gpt2SplitRegex()`, but much faster on ASCII: a hand-written scanner decides every piece
 * whose extent depends only on ASCII characters, and hands the rest (any piece that touches a
 * non-ASCII character) to the regex, which stays the reference.
 */
export function scanPretokens(text: string, onPiece: (start: number, end: number) => void): void {
  const n = text.length;
  const sticky = new RegExp(GPT2_SPLIT_PATTERN_JS, 'uy');
  let i = 0;
  while (i < n) {
    const end = asciiPiece(text, i, n);
    if (end > 0) {
      onPiece(i, end);
      i = end;
      continue;
    }
    sticky.lastIndex = i;
    const m = sticky.exec(text)!; // the alternatives cover every character, so this always matches
    onPiece(i, i + m[0].length);
    i += m[0].length;
  }
}

/** End of the pre-token starting at `i`, or -1 when deciding it needs a non-ASCII character. */
function asciiPiece(t: string, i: number, n: number): number {
  const c = t.charCodeAt(i);
  if (c >= 128) return -1;
  // 1. Contractions: 's 'd 'm 't 'll 've 're (lowercase, as in GPT-2).
  if (c === 39 && i + 1 < n) {
    const c1 = t.charCodeAt(i + 1);
    if (c1 === 115 || c1 === 100 || c1 === 109 || c1 === 116) return i + 2;
    if (i + 2 < n) {
      const c2 = t.charCodeAt(i + 2);
      if ((c1 === 108 && c2 === 108) || (c1 === 118 && c2 === 101) || (c1 === 114 && c2 === 101)) return i + 3;
    }
  }
  // 2–4. An optional space, then a run of letters, of numbers, or of other symbols.
  let j = i;
  let cls = ASCII[c];
  if (c === 32 && i + 1 < n) {
    const c1 = t.charCodeAt(i + 1);
    if (c1 >= 128) return -1;
    if (ASCII[c1] !== W) {
      j = i + 1;
      cls = ASCII[c1];
    }
  }
  if (cls !== W) {
    let k = j + 1;
    for (; k < n; k++) {
      const ck = t.charCodeAt(k);
      if (ck >= 128) return -1; // the run might continue with a non-ASCII letter / digit / symbol
      if (ASCII[ck] !== cls) break;
    }
    return k;
  }
  // 5–6. Whitespace: the whole run at the end of the text; else all but its last character
  //      (which then leads the next word); a single character before a non-space stands alone.
  let k = i + 1;
  for (; k < n; k++) {
    const ck = t.charCodeAt(k);
    if (ck >= 128) return -1; // U+00A0, U+3000… may continue the run
    if (ASCII[ck] !== W) break;
  }
  if (k === n) return n;
  return k - i >= 2 ? k - 1 : k;
}

/** The GPT-2 pre-tokens of `text` (no special-token handling), e.g. "I'll go" → ["I", "'ll", " go"]. */
export function pretokenize(text: string): string[] {
  const out: string[] = [];
  scanPretokens(text, (s, e) => out.push(text.slice(s, e)));
  return out;
}

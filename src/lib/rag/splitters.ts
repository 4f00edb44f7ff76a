/**
 * Text splitters the learner compares. Every splitter returns spans of the original text
 * (`start`/`end` character offsets), so the UI can draw the boundaries on the document and a
 * citation can point back to the exact spot.
 */

export interface Span {
  /** offset of the first character in the source text */
  start: number;
  /** offset after the last character */
  end: number;
  text: string;
  /** Markdown heading path ("Intro › Setup") for the heading-aware splitter */
  heading?: string;
}

export type SplitterKind = 'fixed' | 'recursive' | 'token' | 'markdown' | 'sentence';

export interface SplitOptions {
  kind: SplitterKind;
  /** target size: characters, or tokens for the token splitter */
  size: number;
  /** overlap between consecutive chunks, same unit as size */
  overlap: number;
  /** token-based splitter: the tokenizer (any object with `encode`) */
  tokenizer?: { encode(text: string): ArrayLike<number> };
}

export const SPLITTER_LABELS: Record<SplitterKind, string> = {
  fixed: 'Fixed size + overlap',
  recursive: 'Recursive (paragraph → line → sentence → word)',
  token: 'Token-based',
  markdown: 'Markdown headings',
  sentence: 'Sentence-aware',
};

/** Splits `text` with the chosen splitter; chunks are trimmed of surrounding whitespace and never empty. */
export function split(text: string, opts: SplitOptions): Span[] {
  const size = Math.max(1, Math.floor(opts.size));
  const overlap = Math.max(0, Math.min(Math.floor(opts.overlap), size - 1));
  let spans: Span[];
  switch (opts.kind) {
    case 'fixed':
      spans = fixedSplit(text, size, overlap);
      break;
    case 'recursive':
      spans = recursiveSplit(text, size, overlap);
      break;
    case 'sentence':
      spans = sentenceSplit(text, size, overlap);
      break;
    case 'token': {
      if (!opts.tokenizer) throw new Error('The token-based splitter needs a tokenizer.');
      spans = tokenSplit(text, size, overlap, opts.tokenizer);
      break;
    }
    case 'markdown':
      spans = markdownSplit(text, size, overlap);
      break;
  }
  return spans.map((s) => trimSpan(text, s)).filter((s) => s.text.length > 0);
}

function trimSpan(text: string, s: Span): Span {
  let { start, end } = s;
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return { ...s, start, end, text: text.slice(start, end) };
}

/** Fixed windows of `size` characters, each starting `size - overlap` after the previous one. */
export function fixedSplit(text: string, size: number, overlap: number): Span[] {
  const out: Span[] = [];
  const step = Math.max(1, size - overlap);
  for (let start = 0; start < text.length; start += step) {
    const end = Math.min(text.length, start + size);
    out.push({ start, end, text: text.slice(start, end) });
    if (end === text.length) break;
  }
  return out;
}

/**
 * Greedily merges consecutive pieces into chunks of at most `size` (measured by `len`), and
 * starts each new chunk with the trailing pieces of the previous one that fit in `overlap`.
 */
function mergePieces(text: string, pieces: Array<[number, number]>, size: number, overlap: number, len: (a: number, b: number) => number): Span[] {
  const out: Span[] = [];
  let cur: Array<[number, number]> = [];
  let curLen = 0;
  const flush = () => {
    if (cur.length === 0) return;
    const start = cur[0][0];
    const end = cur[cur.length - 1][1];
    out.push({ start, end, text: text.slice(start, end) });
    // keep a tail of at most `overlap` for the next chunk
    const tail: Array<[number, number]> = [];
    let tailLen = 0;
    for (let i = cur.length - 1; i > 0; i--) {
      const l = len(cur[i][0], cur[i][1]);
      if (tailLen + l > overlap) break;
      tail.unshift(cur[i]);
      tailLen += l;
    }
    cur = tail;
    curLen = tailLen;
  };
  for (const p of pieces) {
    const l = len(p[0], p[1]);
    if (curLen + l > size && cur.length > 0) {
      flush();
      // the overlap tail plus this piece may still be too big: drop the tail then
      if (curLen + l > size) {
        cur = [];
        curLen = 0;
      }
    }
    cur.push(p);
    curLen += l;
  }
  if (cur.length > 0) {
    const start = cur[0][0];
    const end = cur[cur.length - 1][1];
    const last = out[out.length - 1];
    // a final chunk made only of overlap adds nothing
    if (!last || end > last.end) out.push({ start, end, text: text.slice(start, end) });
  }
  return out;
}

const SEPARATORS = ['\n\n', '\n', '. ', ' ', ''];

/** Cuts [start, end) after each occurrence of `sep` (the separator stays with the left piece). */
function cutBy(text: string, start: number, end: number, sep: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (sep === '') {
    for (let i = start; i < end; i++) out.push([i, i + 1]);
    return out;
  }
  let from = start;
  for (;;) {
    const at = text.indexOf(sep, from);
    if (at < 0 || at + sep.length > end) break;
    out.push([from, at + sep.length]);
    from = at + sep.length;
  }
  if (from < end) out.push([from, end]);
  return out;
}

/** Recursive character splitter (LangChain's idea): try paragraphs, then lines, sentences, words, characters. */
export function recursiveSplit(text: string, size: number, overlap: number, start = 0, end = text.length, level = 0): Span[] {
  const pieces: Array<[number, number]> = [];
  const rec = (s: number, e: number, lvl: number) => {
    if (e - s <= size || lvl >= SEPARATORS.length) {
      pieces.push([s, e]);
      return;
    }
    const parts = cutBy(text, s, e, SEPARATORS[lvl]);
    if (parts.length === 1) return rec(s, e, lvl + 1);
    for (const [a, b] of parts) {
      if (b - a > size) rec(a, b, lvl + 1);
      else pieces.push([a, b]);
    }
  };
  rec(start, end, level);
  return mergePieces(text, pieces, size, overlap, (a, b) => b - a);
}

/** Sentence spans: ends at . ! ? (with closing quotes) followed by whitespace, or at a blank line. */
export function sentenceSpans(text: string, start = 0, end = text.length): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = /[.!?…]+["'”’)\]]*(?=\s)|\n\s*\n/g;
  re.lastIndex = start;
  let from = start;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && m.index < end) {
    let cut = m.index + m[0].length;
    // don't split after common abbreviations ("e.g.", "Dr.") or single initials
    const before = text.slice(Math.max(from, m.index - 5), m.index + 1);
    if (/\b(e\.g|i\.e|etc|vs|Dr|Mr|Mrs|Ms|Fig|cf|al)\.$/.test(before) || /\b[A-Z]\.$/.test(before)) continue;
    while (cut < end && /\s/.test(text[cut])) cut++;
    out.push([from, cut]);
    from = cut;
  }
  if (from < end) out.push([from, end]);
  return out;
}

/** Sentence-aware: whole sentences packed up to `size` characters; overlap in whole sentences. */
export function sentenceSplit(text: string, size: number, overlap: number): Span[] {
  const pieces: Array<[number, number]> = [];
  for (const [a, b] of sentenceSpans(text)) {
    // a single sentence longer than a chunk falls back to the recursive splitter
    if (b - a > size) for (const s of recursiveSplit(text, size, 0, a, b, 1)) pieces.push([s.start, s.end]);
    else pieces.push([a, b]);
  }
  return mergePieces(text, pieces, size, overlap, (a, b) => b - a);
}

/**
 * Token-based: words (with their leading whitespace, as byte-level BPE pre-tokenizes) are packed
 * until the chunk holds `size` tokens of the given tokenizer. Counting per word is exact for
 * GPT-2-style tokenizers, whose merges never cross a pre-token boundary.
 */
export function tokenSplit(text: string, size: number, overlap: number, tokenizer: { encode(text: string): ArrayLike<number> }): Span[] {
  const pieces: Array<[number, number]> = [];
  const counts = new Map<number, number>();
  const re = /\s*\S+/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(text))) {
    pieces.push([m.index, m.index + m[0].length]);
    last = m.index + m[0].length;
  }
  if (last < text.length && pieces.length > 0) pieces[pieces.length - 1][1] = text.length;
  const len = (a: number, b: number) => {
    let c = counts.get(a);
    if (c === undefined) {
      c = tokenizer.encode(text.slice(a, b)).length;
      counts.set(a, c);
    }
    return c;
  };
  return mergePieces(text, pieces, size, overlap, len);
}

/**
 * Markdown-heading-aware: a chunk never crosses a heading; each chunk records its heading path.
 * Sections longer than `size` are split recursively inside the section. Headings inside fenced
 * code blocks are ignored.
 */
export function markdownSplit(text: string, size: number, overlap: number): Span[] {
  const sections: Array<{ start: number; end: number; heading: string }> = [];
  const path: string[] = [];
  let inFence = false;
  let sectionStart = 0;
  let heading = '';
  let offset = 0;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const h = !inFence && /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      if (offset > sectionStart) sections.push({ start: sectionStart, end: offset, heading });
      const level = h[1].length;
      path.length = level - 1;
      path[level - 1] = h[2];
      heading = path.filter(Boolean).join(' › ');
      sectionStart = offset;
    }
    offset += line.length + 1;
  }
  if (text.length > sectionStart) sections.push({ start: sectionStart, end: text.length, heading });
  const out: Span[] = [];
  for (const sec of sections) {
    const spans = sec.end - sec.start <= size ? [{ start: sec.start, end: sec.end, text: text.slice(sec.start, sec.end) }] : recursiveSplit(text, size, overlap, sec.start, sec.end);
    for (const s of spans) out.push({ ...s, heading: sec.heading || undefined });
  }
  return out;
}

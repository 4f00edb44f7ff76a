/**
 * Document loaders: plain text, Markdown, HTML (readable text only, scripts dropped) and PDF
 * (through pdf.js, injected by the caller so it loads on demand). Every bad input gets a
 * RagError with a plain message, before anything is stored.
 */
import { RagError } from './errors';
import { extractPdfText, type PdfjsLike } from './pdf';

/** Files above this size are refused before being read (the browser would hold them in memory twice). */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

export type DocKind = 'text' | 'markdown' | 'html' | 'pdf';

/** What a loader needs from a file: a `File`/`Blob` fits, and tests can fake one without allocating. */
export interface FileLike {
  name: string;
  size: number;
  type?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface LoadedDocument {
  name: string;
  kind: DocKind;
  mime: string;
  /** extracted plain text (Markdown is kept as written, so heading-aware splitting works) */
  text: string;
  /** start offsets in `text` of each PDF page (page i+1 starts at pages[i]) */
  pages?: number[];
  /** the original bytes (hashed for duplicate detection) */
  bytes: Uint8Array;
  /** notes for the learner, e.g. "2 <script> blocks removed" */
  notes: string[];
}

export interface LoadOptions {
  /** pdf.js, loaded lazily by the caller (the worker imports it on first PDF) */
  loadPdfjs?: () => Promise<PdfjsLike>;
  maxBytes?: number;
}

const MIME: Record<DocKind, string> = {
  text: 'text/plain',
  markdown: 'text/markdown',
  html: 'text/html',
  pdf: 'application/pdf',
};

/** Guesses the kind from the name, the MIME type and the first bytes ("%PDF-" wins). */
export function detectKind(name: string, type: string | undefined, head: Uint8Array): DocKind {
  if (head[0] === 0x25 && head[1] === 0x50 && head[2] === 0x44 && head[3] === 0x46) return 'pdf';
  const ext = name.toLowerCase().split('.').pop() ?? '';
  if (ext === 'pdf' || type === 'application/pdf') return 'pdf';
  if (ext === 'md' || ext === 'markdown' || type === 'text/markdown') return 'markdown';
  if (ext === 'html' || ext === 'htm' || ext === 'xhtml' || type === 'text/html') return 'html';
  return 'text';
}

/** Refuses a file by its size alone, before reading it. */
export function checkSize(file: { name: string; size: number }, maxBytes = MAX_FILE_BYTES): void {
  if (file.size === 0) throw new RagError('empty', `“${file.name}” is empty.`, 'Pick a file that contains some text.');
  if (file.size > maxBytes) {
    const [size, limit] = sizesThatDiffer(file.size, maxBytes);
    throw new RagError('too-large', `“${file.name}” is ${size}; the limit is ${limit}.`, 'Split it into smaller files, or extract the part you need.');
  }
}

/**
 * Two byte counts in MiB (the app's unit, see src/lib/format/bytes.ts) with just enough precision
 * to tell them apart (50 MiB vs 50.3 MiB), or in exact bytes when they round alike
 * ("52,428,801 bytes" vs "52,428,800 bytes (50 MiB)").
 */
export function sizesThatDiffer(a: number, b: number): [string, string] {
  const MB = 1024 * 1024;
  for (const digits of [0, 1, 2]) {
    const x = (a / MB).toFixed(digits);
    const y = (b / MB).toFixed(digits);
    if (x !== y) return [`${x} MiB`, `${y} MiB`];
  }
  const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;
  return [bytes(a), `${bytes(b)} (${(b / MB).toFixed(b % MB ? 2 : 0)} MiB)`];
}

/** True when the bytes look like a binary file (NUL bytes or many control characters). */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  if (n === 0) return false;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return control / n > 0.1;
}

/** The UTF-16 byte order of a BOM at the start of `bytes`, if any. */
export function utf16Bom(bytes: Uint8Array): 'le' | 'be' | null {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'be';
  return null;
}

/**
 * Decodes text: UTF-16 LE/BE when the file starts with their BOM (Windows Notepad's "Unicode"),
 * else strict UTF-8 (a UTF-8 BOM is dropped); other encodings get a clear error.
 */
export function decodeText(bytes: Uint8Array, name: string): string {
  const bom = utf16Bom(bytes);
  if (!bom) return decodeUtf8(bytes, name);
  let body = bytes.subarray(2);
  if (body.length % 2) throw encodingError(name, 'UTF-16 text with an odd number of bytes (cut off?)');
  if (bom === 'be') {
    // swap to little-endian: every TextDecoder has utf-16le, not every build has utf-16be
    const swapped = new Uint8Array(body.length);
    for (let i = 0; i < body.length; i += 2) {
      swapped[i] = body[i + 1];
      swapped[i + 1] = body[i];
    }
    body = swapped;
  }
  try {
    return new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw encodingError(name, `damaged UTF-16${bom.toUpperCase()} text`);
  }
}

function encodingError(name: string, what: string): RagError {
  return new RagError('encoding', `“${name}” is ${what}.`, 'Re-save it as UTF-8 in your editor, then add it again.');
}

/** Decodes strict UTF-8 (a BOM is dropped); other encodings get a clear error. */
export function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new RagError(
      'encoding',
      `“${name}” is not valid UTF-8 text (it may be Latin-1/Windows-1252, or UTF-16 without a byte-order mark).`,
      'Re-save it as UTF-8 in your editor, then add it again.',
    );
  }
}

/** Loads any supported file into plain text, or throws a RagError explaining why not. */
export async function loadDocument(file: FileLike, opts: LoadOptions = {}): Promise<LoadedDocument> {
  checkSize(file, opts.maxBytes);
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.length === 0) throw new RagError('empty', `“${file.name}” is empty.`, 'Pick a file that contains some text.');
  const kind = detectKind(file.name, file.type, bytes.subarray(0, 8));
  const notes: string[] = [];
  if (kind === 'pdf') {
    if (!opts.loadPdfjs) throw new RagError('unsupported', 'PDF support is not loaded here.', 'Add PDFs in the ingestion lab.');
    const pdfjs = await opts.loadPdfjs();
    const { text, pages } = await extractPdfText(bytes, file.name, pdfjs);
    return { name: file.name, kind, mime: MIME.pdf, text, pages, bytes, notes: [`${pages.length} page(s)`] };
  }
  // UTF-16 is full of NUL bytes, so its BOM is checked before the binary sniff
  if (!utf16Bom(bytes) && looksBinary(bytes)) {
    throw new RagError(
      'binary',
      `“${file.name}” looks like a binary file, not text${file.name.includes('.') ? ` (despite its .${file.name.split('.').pop()} name)` : ''}.`,
      'Only text, Markdown, HTML and PDF files can be added (UTF-16 text needs its byte-order mark; or re-save it as UTF-8).',
    );
  }
  let text = decodeText(bytes, file.name);
  if (kind === 'html') {
    const out = htmlToText(text);
    text = out.text;
    if (out.removed > 0) notes.push(`${out.removed} script/style block(s) removed`);
  }
  text = text.replace(/\r\n?/g, '\n');
  if (text.trim().length === 0) {
    throw new RagError('empty', `“${file.name}” contains no readable text.`, 'Pick a file that contains some text.');
  }
  return { name: file.name, kind, mime: MIME[kind], text, bytes, notes };
}

const DROP_ELEMENTS = new Set(['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'canvas']);
const BLOCK = new Set('p div section article header footer main aside nav h1 h2 h3 h4 h5 h6 ul ol table pre blockquote figure figcaption dl hr form title'.split(' '));
const LINE = new Set(['li', 'tr', 'dt', 'dd', 'td', 'th']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '—', ndash: '–', hellip: '…', copy: '©', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“' };
const WHITESPACE_ONLY = /^\s*$/;
/** True for ASCII letters (a tag name starts with one) and, with `digits`, 0-9. */
const isNameChar = (c: number, digits: boolean) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (digits && c >= 48 && c <= 57);

/**
 * Readable text of an HTML page without a DOM (works in workers and Node): drops scripts,
 * styles and other non-text elements with their content, turns block elements into line
 * breaks, and decodes entities. Keeps the <title> as a first line.
 *
 * One left-to-right scan with indexOf, so it is linear in the input: regexes such as
 * `<[^>]*>` rescan to the end for every `<` that has no `>` after it (quadratic: 400 KB took 29 s).
 * A tag with no `>` after it leaves the rest as text; an unclosed comment or <script> swallows
 * the rest, as in a browser.
 */
export function htmlToText(html: string): { text: string; removed: number } {
  // ASCII-only lower case keeps every offset equal to `html`'s (toLowerCase can change lengths)
  const lower = html.replace(/[A-Z]+/g, (c) => c.toLowerCase());
  let removed = 0;
  let title: string | undefined;
  const tOpen = lower.indexOf('<title');
  if (tOpen >= 0) {
    const tGt = lower.indexOf('>', tOpen);
    const tClose = tGt >= 0 ? lower.indexOf('</title>', tGt) : -1;
    if (tClose >= 0) title = decodeEntities(html.slice(tGt + 1, tClose)).trim();
  }
  const out: string[] = [];
  let i = 0; // scan position
  let textStart = 0; // start of the text not yet copied to `out` (a lone "<" stays part of it)
  const n = html.length;
  // Line breaks owed before the next text (0-2): tags add to it, consecutive breaks merge here
  // instead of piling up for a regex (a page of 600k <p> would leave 1.2M runs to collapse).
  let brk = 0;
  const lineBreak = (k: number) => (brk = Math.min(brk + k, 2));
  const flush = (end: number) => {
    if (end <= textStart) return;
    const piece = html.slice(textStart, end);
    if (brk > 0 && WHITESPACE_ONLY.test(piece)) {
      // whitespace between breaks: only its newlines count (its spaces would be trimmed)
      for (let k = piece.indexOf('\n'); k >= 0 && brk < 2; k = piece.indexOf('\n', k + 1)) brk++;
      return;
    }
    if (brk > 0) out.push(brk === 2 ? '\n\n' : '\n');
    brk = 0;
    out.push(piece);
  };
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      flush(lt);
      const end = html.indexOf('-->', lt + 4);
      textStart = i = end < 0 ? n : end + 3; // an unclosed comment hides the rest
      continue;
    }
    // the tag name: "<name" or "</name", read by char codes (a regex per "<" costs more than the scan)
    const closing = html.charCodeAt(lt + 1) === 47; // '/'
    const nameStart = lt + (closing ? 2 : 1);
    let nameEnd = nameStart;
    if (isNameChar(html.charCodeAt(nameStart), false)) while (isNameChar(html.charCodeAt(++nameEnd), true));
    if (nameEnd === nameStart) {
      // "<!DOCTYPE …>" and "<?xml …>" are skipped; any other "<" ("a < b") is text
      const c = html[lt + 1];
      if (c === '!' || c === '?') {
        flush(lt);
        const gt = html.indexOf('>', lt);
        textStart = i = gt < 0 ? n : gt + 1;
      } else i = lt + 1;
      continue;
    }
    const gt = html.indexOf('>', nameEnd);
    if (gt < 0) break; // no ">" anywhere after this point: no later tag can close either, the rest is text
    flush(lt);
    const tag = lower.slice(nameStart, nameEnd);
    textStart = i = gt + 1;
    if (!closing && DROP_ELEMENTS.has(tag) && html[gt - 1] !== '/') {
      removed++;
      const end = findClosingTag(lower, tag, i);
      textStart = i = end < 0 ? n : end; // an unclosed <script> swallows the rest of the page, as browsers do
      lineBreak(1);
      continue;
    }
    if (tag === 'br') lineBreak(1);
    else if (BLOCK.has(tag)) lineBreak(2);
    else if (LINE.has(tag)) lineBreak(1);
  }
  flush(n);
  const s = decodeEntities(out.join(''));
  // whitespace: runs become one space, spaces around line breaks go, at most one empty line.
  // Each regex consumes what it matches (no pattern rescans a run), so this stays linear too.
  let text = s
    .replace(/\r\n?/g, '\n')
    .replace(/[\t\f\v\u00a0][ \t\f\v\u00a0]*| [ \t\f\v\u00a0]+/g, ' ')
    .replace(/ \n ?|\n /g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (title && !text.startsWith(title)) text = `${title}\n\n${text}`;
  return { text, removed };
}

/** The offset just after `</tag\s*>` at or after `from` in lower-cased HTML, or -1. Linear: occurrences are disjoint. */
function findClosingTag(lower: string, tag: string, from: number): number {
  const needle = `</${tag}`;
  for (let k = lower.indexOf(needle, from); k >= 0; k = lower.indexOf(needle, k + needle.length)) {
    let j = k + needle.length;
    while (j < lower.length && /\s/.test(lower[j])) j++;
    if (lower[j] === '>') return j + 1;
  }
  return -1;
}

/** Decodes named (a common few), decimal and hex character references. */
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,8}|#\d{1,8}|[a-z]{1,10});/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : '';
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

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
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;
    throw new RagError(
      'too-large',
      `“${file.name}” is ${mb(file.size)}; the limit is ${mb(maxBytes)}.`,
      'Split it into smaller files, or extract the part you need.',
    );
  }
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

/** Decodes strict UTF-8 (a BOM is dropped); other encodings get a clear error. */
export function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new RagError(
      'encoding',
      `“${name}” is not valid UTF-8 text (it may be Latin-1/Windows-1252 or UTF-16).`,
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
  if (looksBinary(bytes)) {
    throw new RagError(
      'binary',
      `“${file.name}” looks like a binary file, not text${file.name.includes('.') ? ` (despite its .${file.name.split('.').pop()} name)` : ''}.`,
      'Only text, Markdown, HTML and PDF files can be added.',
    );
  }
  let text = decodeUtf8(bytes, file.name);
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

const DROP_ELEMENTS = ['script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'canvas', 'head'];
const BLOCK = /^(p|div|section|article|header|footer|main|aside|nav|h[1-6]|ul|ol|table|pre|blockquote|figure|figcaption|dl|hr|form|title)$/i;
const LINE = /^(li|tr|dt|dd|td|th)$/i;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', mdash: '—', ndash: '–', hellip: '…', copy: '©', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“' };

/**
 * Readable text of an HTML page without a DOM (works in workers and Node): drops scripts,
 * styles and other non-text elements with their content, turns block elements into line
 * breaks, and decodes entities. Keeps the <title> as a first line.
 */
export function htmlToText(html: string): { text: string; removed: number } {
  let removed = 0;
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1]?.trim();
  let s = html.replace(/<!--[\s\S]*?-->/g, '');
  for (const tag of DROP_ELEMENTS) {
    const re = new RegExp(`<${tag}\\b[^>]*>[\\s\\S]*?<\\/${tag}\\s*>`, 'gi');
    s = s.replace(re, () => {
      removed += tag === 'head' ? 0 : 1;
      return '\n';
    });
    // an unclosed <script> swallows the rest of the page, as browsers do
    s = s.replace(new RegExp(`<${tag}\\b[^>]*>[\\s\\S]*$`, 'i'), () => {
      removed++;
      return '';
    });
  }
  s = s.replace(/<br\s*\/?>/gi, '\n');
  // block elements become paragraph breaks, list items and table rows line breaks
  s = s.replace(/<\/?([a-z][a-z0-9]*)\b[^>]*>/gi, (_, tag: string) => (BLOCK.test(tag) ? '\n\n' : LINE.test(tag) ? '\n' : ''));
  s = s.replace(/<[^>]*>/g, '');
  s = s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : '';
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
  let text = s
    .split('\n')
    .map((l) => l.replace(/[ \t\f\v\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (title && !text.startsWith(title)) text = `${title}\n\n${text}`;
  return { text, removed };
}

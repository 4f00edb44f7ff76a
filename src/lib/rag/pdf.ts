/**
 * PDF text extraction through pdf.js, which the caller passes in (it is imported on demand in
 * the RAG worker, never in the main chunk). Page boundaries are kept as offsets in the text.
 */
import { RagError } from './errors';

/** The subset of pdfjs-dist this module uses. */
export interface PdfjsLike {
  getDocument(src: { data: Uint8Array; isEvalSupported?: boolean; useSystemFonts?: boolean; verbosity?: number; stopAtErrors?: boolean }): {
    promise: Promise<{
      numPages: number;
      getPage(n: number): Promise<{ getTextContent(): Promise<{ items: Array<{ str?: string; hasEOL?: boolean }> }> }>;
    }>;
    destroy(): Promise<void>;
  };
}

/** Makes pdf.js run on engines without Promise.withResolvers (Node 20). */
export function polyfillForPdfjs(): void {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  if (!P.withResolvers) {
    P.withResolvers = () => {
      let resolve!: (v: unknown) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise((a, b) => ((resolve = a), (reject = b)));
      return { promise, resolve, reject };
    };
  }
}

/** Text of every page, joined with blank lines; `pages[i]` is the offset where page i+1 starts. */
export async function extractPdfText(bytes: Uint8Array, name: string, pdfjs: PdfjsLike): Promise<{ text: string; pages: number[] }> {
  polyfillForPdfjs();
  let doc;
  // pdf.js transfers (detaches) the buffer it gets: give it a copy so the caller can still hash ours.
  const task = pdfjs.getDocument({ data: bytes.slice(), isEvalSupported: false, useSystemFonts: false, verbosity: 0 });
  try {
    doc = await task.promise;
  } catch (e) {
    const ename = (e as { name?: string })?.name;
    void task.destroy();
    if (ename === 'PasswordException') {
      throw new RagError('pdf-encrypted', `“${name}” is password-protected.`, 'Open it, save an unprotected copy, and add that.', { cause: e });
    }
    throw new RagError('pdf-corrupt', `“${name}” could not be read as a PDF (${(e as Error)?.message ?? 'invalid structure'}).`, 'The file may be damaged or truncated; try exporting it again.', { cause: e });
  }
  try {
    let text = '';
    const pages: number[] = [];
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p);
      const content = await page.getTextContent();
      let pageText = '';
      for (const item of content.items) {
        if (typeof item.str !== 'string') continue;
        pageText += item.str + (item.hasEOL ? '\n' : ' ');
      }
      if (p > 1) text += '\n\n';
      pages.push(text.length);
      text += pageText.replace(/[ \t]+/g, ' ').trim();
    }
    if (text.trim().length === 0) {
      throw new RagError('pdf-no-text', `“${name}” has no text layer (it is probably scanned images).`, 'Run OCR on it first, then add the result.');
    }
    return { text, pages };
  } finally {
    void task.destroy();
  }
}

/** The 1-based page of a character offset, given page start offsets. */
export function pageAt(pages: number[] | undefined, offset: number): number | undefined {
  if (!pages || pages.length === 0) return undefined;
  let lo = 0;
  let hi = pages.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pages[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

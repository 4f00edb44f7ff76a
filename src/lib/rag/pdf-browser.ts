/**
 * pdf.js for a page or a worker, loaded on the first PDF. Both files are imported from their
 * asset URLs (`?url`: emitted as-is under a content hash, with no imports of their own), so the
 * page's build (in-page fallback) and the RAG worker's build share one copy each in the offline
 * precache instead of bundling one each. pdf.js's worker code runs in the same thread
 * (`globalThis.pdfjsWorker`): in the RAG worker that already is off the main thread.
 */
import pdfUrl from 'pdfjs-dist/build/pdf.min.mjs?url';
import pdfWorkerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import type { PdfjsLike } from './pdf';

/** A loader that imports pdf.js once (and again after a failed attempt). */
export function pdfjsLoader(): () => Promise<PdfjsLike> {
  let pdfjs: Promise<PdfjsLike> | null = null;
  return () => {
    pdfjs ??= (async () => {
      const [lib, worker] = await Promise.all([import(/* @vite-ignore */ pdfUrl), import(/* @vite-ignore */ pdfWorkerUrl)]);
      (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
      return lib as unknown as PdfjsLike;
    })();
    pdfjs.catch(() => (pdfjs = null));
    return pdfjs;
  };
}

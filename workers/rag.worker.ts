/**
 * The RAG worker: file loading (pdf.js imported on the first PDF only), splitting, lexical
 * embedding and index timings, exposed through comlink (API in src/lib/rag/worker-api.ts).
 * Every request carries an id; `cancel(id)` stops it at its next checkpoint.
 */
import * as Comlink from 'comlink';
import { LexicalEmbedder } from '../src/lib/rag/embedders';
import { RagError, ragErrorToData } from '../src/lib/rag/errors';
import { chunkDocument } from '../src/lib/rag/ingest';
import { timeIndexes } from '../src/lib/rag/index-timing';
import { loadDocument } from '../src/lib/rag/loaders';
import type { PdfjsLike } from '../src/lib/rag/pdf';
import { split, type SplitOptions } from '../src/lib/rag/splitters';
import { sha256Hex } from '../src/lib/rag/store';
import { voyWasmBytes } from '../src/lib/rag/voy-browser';
import type { PreparedResult, RagWorkerApi, WorkerSplitOptions } from '../src/lib/rag/worker-api';
import { Tokenizer, trainBPE } from '../src/lib/tokenizer';

const cancelled = new Set<number>();
const check = (id: number) => {
  if (cancelled.has(id)) throw new RagError('aborted', 'Cancelled.');
};

let pdfjs: Promise<PdfjsLike> | null = null;
/** pdf.js on demand; its own worker code runs in this thread (we already are a worker). */
function loadPdfjs(): Promise<PdfjsLike> {
  pdfjs ??= (async () => {
    const [lib, worker] = await Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.mjs')]);
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    return lib as unknown as PdfjsLike;
  })();
  pdfjs.catch(() => (pdfjs = null));
  return pdfjs;
}

let lastTokenizer: { text: string; vocab: number; tokenizer: Tokenizer } | null = null;

/**
 * Resolves the token splitter's tokenizer: a byte-level BPE trained on (the first 200 kB of) the
 * text itself; the last one is kept, so moving the size/overlap sliders doesn't retrain it.
 */
function splitOptions(text: string, opts: WorkerSplitOptions): SplitOptions {
  if (opts.kind !== 'token') return opts;
  const sample = text.slice(0, 200_000);
  const vocabSize = Math.max(257, opts.bpeVocab ?? 512);
  if (!lastTokenizer || lastTokenizer.text !== sample || lastTokenizer.vocab !== vocabSize) {
    const { vocab, merges } = trainBPE(sample, vocabSize);
    lastTokenizer = { text: sample, vocab: vocabSize, tokenizer: new Tokenizer(vocab, merges) };
  }
  return { ...opts, tokenizer: lastTokenizer.tokenizer };
}

const api: RagWorkerApi = {
  async prepare(id, files, opts, onProgress) {
    const out: PreparedResult[] = [];
    try {
      for (let i = 0; i < files.length; i++) {
        check(id);
        const f = files[i];
        await onProgress(i, files.length, f.name);
        try {
          const doc = await loadDocument({ name: f.name, size: f.size, type: f.type, arrayBuffer: async () => f.bytes }, { loadPdfjs });
          const chunks = chunkDocument(doc, splitOptions(doc.text, opts));
          if (chunks.length === 0) throw new RagError('empty', `“${f.name}” produced no chunks.`);
          out.push({ ok: true, name: doc.name, kind: doc.kind, mime: doc.mime, hash: await sha256Hex(doc.bytes), size: doc.bytes.length, text: doc.text, pages: doc.pages, notes: doc.notes, chunks });
        } catch (e) {
          if (e instanceof RagError && e.code === 'aborted') throw e;
          out.push({ ok: false, name: f.name, error: ragErrorToData(e) });
        }
      }
      await onProgress(files.length, files.length, '');
      return out;
    } finally {
      cancelled.delete(id);
    }
  },
  async split(_id, text, opts) {
    return split(text, splitOptions(text, opts));
  },
  async embedLexical(id, texts, dims) {
    const e = new LexicalEmbedder(dims);
    const out = new Float32Array(texts.length * dims);
    for (let i = 0; i < texts.length; i += 256) {
      check(id);
      (await e.embed(texts.slice(i, i + 256), 'document')).forEach((v, j) => out.set(v, (i + j) * dims));
    }
    cancelled.delete(id);
    return Comlink.transfer(out, [out.buffer]);
  },
  async timeIndexes(id, n, dims, queries, k, onProgress) {
    try {
      return await timeIndexes(n, dims, queries, k, ['flat', 'voy', 'naive'], voyWasmBytes, (s) => onProgress(s), () => check(id));
    } finally {
      cancelled.delete(id);
    }
  },
  cancel(id) {
    cancelled.add(id);
  },
};

Comlink.expose(api);

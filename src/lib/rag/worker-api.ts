/**
 * The RAG worker's API, declared once and implemented here (framework-free): the worker file
 * serves `createRagApi()`, the page runs the same object when workers are unavailable, and the
 * Node tests call it directly. Heavy work lives here: file loading (pdf.js imported on the
 * first PDF), splitting, lexical embedding and index timing runs. Every long loop looks at its
 * call's `ctx.signal` and yields now and then, so a cancel arrives and takes effect.
 */
import type { ErrorData } from '../errors';
import type { CallContext } from '../rpc/protocol';
import { transfer } from '../rpc/protocol';
import { Tokenizer, trainBPE } from '../tokenizer';
import { LexicalEmbedder } from './embedders';
import { RagError, ragErrorToData } from './errors';
import { timeIndexes, type IndexTiming } from './index-timing';
import { chunkDocument } from './ingest';
import { loadDocument, type DocKind } from './loaders';
import type { PdfjsLike } from './pdf';
import { split, type Span, type SplitOptions } from './splitters';
import { openLabDB } from '../storage/db';
import { RagStore, sha256Hex } from './store';

export type { IndexTiming } from './index-timing';

/** A file to read: its bytes (transferred, not copied), or a File/Blob handle the worker reads itself (nothing copied on the page). */
export type WorkerFile = { name: string; type: string; size: number; bytes: ArrayBuffer } | (Blob & { name: string });

/** A loaded and split file (with its lexical vectors when asked), or why it failed. */
export type PreparedResult =
  | {
      ok: true;
      name: string;
      kind: DocKind;
      mime: string;
      hash: string;
      size: number;
      text: string;
      pages?: number[];
      notes: string[];
      chunks: Array<Span & { page?: number }>;
      /** [chunks.length, dims] row-major lexical vectors, when `prepare` was given `lexicalDims` */
      vectors?: Float32Array;
    }
  | { ok: false; name: string; error: ErrorData };

export type WorkerSplitOptions = Omit<SplitOptions, 'tokenizer'> & {
  /** token splitter: vocabulary size of the byte-level BPE trained on the text itself */
  bpeVocab?: number;
};

/** Where `prepare` is: `done` of `total` files read, `name` the file at hand ('' at the end). */
export interface PrepareProgress {
  done: number;
  total: number;
  name: string;
}

/** What `ingest` did with one file. */
export type IngestOutcome = { name: string; ok: true; chunks: number; notes: string[] } | { name: string; ok: false; error: ErrorData };

/** Where `ingest` stores: the app's database (by name) and one collection in it. */
export interface IngestTarget {
  dbName: string;
  collectionId: string;
}

/** The beginning of the last stored document, for the lab's chunk preview. */
export interface IngestPreview {
  name: string;
  text: string;
  /** true when `text` is only the first PREVIEW_CHARS characters */
  truncated: boolean;
}

/** How much of a stored document comes back for the preview (the page renders every chunk of it). */
export const PREVIEW_CHARS = 100_000;

export interface RagApi {
  /**
   * The whole lexical ingestion off the main thread: reads, splits and embeds each file and
   * stores it (one transaction per document, duplicates refused) in the collection. Per-file
   * outcomes; a cancel stops before the next step (a document being written is written whole).
   */
  ingest(target: IngestTarget, files: WorkerFile[], split: WorkerSplitOptions, lexicalDims: number, ctx: CallContext<PrepareProgress>): Promise<{ outcomes: IngestOutcome[]; preview: IngestPreview | null }>;
  /**
   * Loads and splits files (and embeds them lexically when `lexicalDims` is given); per-file
   * results, so one bad file doesn't stop the others. A cancel stops it between steps.
   */
  prepare(files: WorkerFile[], split: WorkerSplitOptions, lexicalDims: number | undefined, ctx: CallContext<PrepareProgress>): Promise<PreparedResult[]>;
  /** Re-splits a text (for the live preview). */
  split(text: string, split: WorkerSplitOptions): Promise<Span[]>;
  /** Lexical embeddings, [texts.length, dims] row-major (transferred). */
  embedLexical(texts: string[], dims: number, ctx: CallContext<never>): Promise<Float32Array>;
  /** Times flat vs voy vs naive search on n random unit vectors × dims. */
  timeIndexes(n: number, dims: number, queries: number, k: number, ctx: CallContext<string>): Promise<IndexTiming[]>;
}

export interface RagApiDeps {
  /** The store of a database by name (tests pass one over fake-indexeddb). */
  openStore?: (dbName: string) => RagStore;
  /** pdf.js, imported on the first PDF (in a worker its own worker code runs in that thread). */
  loadPdfjs?: () => Promise<PdfjsLike>;
  /** voy-search's wasm bytes (for the index timing). */
  voyWasm?: () => Promise<BufferSource>;
}

/** Throws the cancel as a RagError when the call was cancelled. */
function check(signal: AbortSignal): void {
  if (signal.aborted) throw new RagError('aborted', 'Cancelled; nothing was stored.');
}

/** Lets queued messages (a cancel) in between steps of long work. */
const breathe = () => new Promise<void>((r) => setTimeout(r, 0));

/** Rows embedded per step of `embedLexical` (a step is a few ms; the signal is checked between). */
const EMBED_STEP = 256;

/** The RAG API (see `RagApi`); `deps` supplies pdf.js and voy where they exist. */
export function createRagApi(deps: RagApiDeps = {}): RagApi {
  const stores = new Map<string, RagStore>();
  const storeOf = (dbName: string) => {
    let s = stores.get(dbName);
    if (!s) stores.set(dbName, (s = deps.openStore ? deps.openStore(dbName) : new RagStore(openLabDB(dbName))));
    return s;
  };
  let lastTokenizer: { text: string; vocab: number; tokenizer: Tokenizer } | null = null;

  /**
   * Resolves the token splitter's tokenizer: a byte-level BPE trained on (the first 200 kB of)
   * the text itself; the last one is kept, so moving the size/overlap sliders doesn't retrain it.
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

  async function embed(texts: string[], dims: number, signal: AbortSignal): Promise<Float32Array> {
    const e = new LexicalEmbedder(dims);
    const out = new Float32Array(texts.length * dims);
    for (let i = 0; i < texts.length; i += EMBED_STEP) {
      check(signal);
      (await e.embed(texts.slice(i, i + EMBED_STEP), 'document')).forEach((v, j) => out.set(v, (i + j) * dims));
      if ((i / EMBED_STEP) % 8 === 7) await breathe();
    }
    return out;
  }

  /** Reads one file and splits it (and embeds it, given dims). */
  async function readOne(f: WorkerFile, opts: WorkerSplitOptions, lexicalDims: number | undefined, signal: AbortSignal) {
    const arrayBuffer = f instanceof Blob ? () => f.arrayBuffer() : async () => f.bytes;
    const doc = await loadDocument({ name: f.name, size: f.size, type: f.type, arrayBuffer }, { loadPdfjs: deps.loadPdfjs });
    await breathe();
    check(signal);
    const chunks = chunkDocument(doc, splitOptions(doc.text, opts));
    if (chunks.length === 0) throw new RagError('empty', `“${f.name}” produced no chunks.`);
    const vectors = lexicalDims ? await embed(chunks.map((c) => c.text), lexicalDims, signal) : undefined;
    return { doc, chunks, vectors, hash: await sha256Hex(doc.bytes) };
  }

  return {
    async ingest(target, files, opts, lexicalDims, ctx) {
      const store = storeOf(target.dbName);
      const outcomes: IngestOutcome[] = [];
      let preview: IngestPreview | null = null;
      for (let i = 0; i < files.length; i++) {
        check(ctx.signal);
        const f = files[i];
        await ctx.progress({ done: i, total: files.length, name: f.name });
        try {
          const { doc, chunks, vectors, hash } = await readOne(f, opts, lexicalDims, ctx.signal);
          check(ctx.signal);
          const dup = await store.findDuplicate(target.collectionId, hash);
          if (dup) throw new RagError('duplicate', `“${f.name}” is already in this collection (same content as “${dup.name}”).`, 'Nothing was added.');
          check(ctx.signal);
          await store.addDocument(target.collectionId, {
            name: doc.name, mime: doc.mime, hash, size: doc.bytes.length, text: doc.text, pages: doc.pages,
            chunks: chunks.map(({ text, start, end, page, heading }) => ({ text, start, end, page, heading })),
            vectors: vectors!, embedderId: new LexicalEmbedder(lexicalDims).id,
          });
          outcomes.push({ name: doc.name, ok: true, chunks: chunks.length, notes: doc.notes });
          preview = { name: doc.name, text: doc.text.slice(0, PREVIEW_CHARS), truncated: doc.text.length > PREVIEW_CHARS };
        } catch (e) {
          if (e instanceof RagError && e.code === 'aborted') throw e;
          outcomes.push({ name: f.name, ok: false, error: ragErrorToData(e) });
        }
      }
      await ctx.progress({ done: files.length, total: files.length, name: '' });
      return { outcomes, preview };
    },

    async prepare(files, opts, lexicalDims, ctx) {
      const out: PreparedResult[] = [];
      const buffers: ArrayBuffer[] = [];
      for (let i = 0; i < files.length; i++) {
        check(ctx.signal);
        const f = files[i];
        await ctx.progress({ done: i, total: files.length, name: f.name });
        try {
          const { doc, chunks, vectors, hash } = await readOne(f, opts, lexicalDims, ctx.signal);
          if (vectors) buffers.push(vectors.buffer as ArrayBuffer);
          out.push({ ok: true, name: doc.name, kind: doc.kind, mime: doc.mime, hash, size: doc.bytes.length, text: doc.text, pages: doc.pages, notes: doc.notes, chunks, vectors });
        } catch (e) {
          if (e instanceof RagError && e.code === 'aborted') throw e;
          out.push({ ok: false, name: f.name, error: ragErrorToData(e) });
        }
      }
      check(ctx.signal);
      await ctx.progress({ done: files.length, total: files.length, name: '' });
      return transfer(out, buffers);
    },
    async split(text, opts) {
      return split(text, splitOptions(text, opts));
    },
    async embedLexical(texts, dims, ctx) {
      const out = await embed(texts, dims, ctx.signal);
      return transfer(out, [out.buffer as ArrayBuffer]);
    },
    async timeIndexes(n, dims, queries, k, ctx) {
      const voy = deps.voyWasm ?? (() => Promise.reject(new Error('voy-search is not available here.')));
      return timeIndexes(n, dims, queries, k, ['flat', 'voy', 'naive'], voy, (s) => ctx.progress(s), () => check(ctx.signal));
    },
  };
}

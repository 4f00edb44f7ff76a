/**
 * The RAG worker's API, declared once and imported by both sides (workers/rag.worker.ts and
 * the labs' client). Heavy work lives there: PDF parsing (pdf.js, imported on first PDF),
 * splitting, lexical embedding, and index timing runs. Errors cross as data.
 */
import type { SerializedError } from '../engine/errors';
import type { DocKind } from './loaders';
import type { Span, SplitOptions } from './splitters';

export interface WorkerFile {
  name: string;
  type: string;
  size: number;
  /** transferred, not copied */
  bytes: ArrayBuffer;
}

/** A loaded and split file, or why it failed. */
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
    }
  | { ok: false; name: string; error: SerializedError };

export type WorkerSplitOptions = Omit<SplitOptions, 'tokenizer'> & {
  /** token splitter: vocabulary size of the byte-level BPE trained on the text itself */
  bpeVocab?: number;
};

export interface IndexTiming {
  kind: 'flat' | 'voy' | 'naive';
  buildMs: number;
  p50Ms: number;
  p95Ms: number;
  /** how many of the flat index's top-k ids this index also returned (exactness check) */
  agreement: number;
  error?: string;
}

export interface RagWorkerApi {
  /** Loads and splits files; per-file results (one bad file doesn't stop the others). */
  prepare(requestId: number, files: WorkerFile[], split: WorkerSplitOptions, onProgress: (done: number, total: number, name: string) => void): Promise<PreparedResult[]>;
  /** Re-splits a text (for the live preview). */
  split(requestId: number, text: string, split: WorkerSplitOptions): Promise<Span[]>;
  /** Lexical embeddings, [texts.length, dims] row-major (transferred). */
  embedLexical(requestId: number, texts: string[], dims: number): Promise<Float32Array>;
  /** Times flat vs voy vs naive search on n random unit vectors × dims. */
  timeIndexes(requestId: number, n: number, dims: number, queries: number, k: number, onProgress: (stage: string) => void): Promise<IndexTiming[]>;
  /** Stops the request with this id at its next checkpoint. */
  cancel(requestId: number): void;
}

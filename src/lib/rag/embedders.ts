/**
 * The `Embedder` interface and its implementations:
 * - `LexicalEmbedder`: built in, no download — hashed TF-IDF over stemmed words. It is *lexical*:
 *   it matches words, not meanings ("car" ≠ "automobile"). Honest baseline, always available.
 * - `EngineEmbedder`: any ChatEngine's `embeddings.create` — web-llm's snowflake-arctic-embed on
 *   the GPU (with the query prefix those models were trained with), or a remote `/v1/embeddings`.
 */
import type { ChatEngine } from '../engine/types';
import { analyze } from './analyze';

export type InputType = 'query' | 'document';

export interface Embedder {
  /** Stable id, recorded with every stored vector ('lexical-hash-768', 'webllm:snowflake-…'). */
  readonly id: string;
  /** Shown to the learner. */
  readonly label: string;
  /** 'lexical' matches words; 'neural' matches meanings. */
  readonly kind: 'lexical' | 'neural';
  /** Vector length (0 until known for remote models: read it from the first result). */
  readonly dims: number;
  /** Texts per call the backend handles well. */
  readonly batchSize: number;
  /** One L2-normalised vector [dims] per text. */
  embed(texts: string[], inputType: InputType, signal?: AbortSignal): Promise<Float32Array[]>;
}

/** L2-normalises in place (a zero vector stays zero); returns the same array. */
export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i] *= inv;
  }
  return v;
}

/** 32-bit FNV-1a hash of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const LEXICAL_EMBEDDER_ID = 'lexical-hash-768';

/**
 * Hashed TF-IDF ("feature hashing"): each stemmed word goes to bucket hash(word) mod dims with a
 * hash-chosen sign (so collisions cancel on average instead of piling up), weighted 1 + ln(tf).
 * Document vectors carry TF only, so adding documents never invalidates stored vectors; the IDF
 * is applied to the *query* vector from the collection's bucket document frequencies
 * (`setIdfFrom`), which gives the same dot products as TF-IDF on the query terms.
 */
export class LexicalEmbedder implements Embedder {
  readonly id: string;
  readonly label = 'Built-in lexical (hashed TF-IDF, no download) — matches words, not meanings';
  readonly kind = 'lexical' as const;
  readonly batchSize = 256;
  private idf: Float32Array | null = null;

  constructor(readonly dims = 768) {
    this.id = dims === 768 ? LEXICAL_EMBEDDER_ID : `lexical-hash-${dims}`;
  }

  /** The TF vector [dims] of one text (not normalised). */
  termVector(text: string): Float32Array {
    const v = new Float32Array(this.dims);
    const tf = new Map<string, number>();
    for (const t of analyze(text)) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const [t, n] of tf) {
      const h = fnv1a(t);
      const sign = h & 0x80000000 ? -1 : 1;
      v[h % this.dims] += sign * (1 + Math.log(n));
    }
    return v;
  }

  /**
   * Learns bucket IDF from stored document vectors (flat [n, dims]): df = vectors with a
   * non-zero bucket; idf = ln(1 + (n − df + 0.5)/(df + 0.5)), as BM25's.
   */
  setIdfFrom(vectors: Float32Array, n: number): void {
    const df = new Float32Array(this.dims);
    for (let i = 0; i < n; i++) {
      const row = i * this.dims;
      for (let j = 0; j < this.dims; j++) if (vectors[row + j] !== 0) df[j]++;
    }
    const idf = new Float32Array(this.dims);
    for (let j = 0; j < this.dims; j++) idf[j] = Math.log(1 + (n - df[j] + 0.5) / (df[j] + 0.5));
    this.idf = idf;
  }

  async embed(texts: string[], inputType: InputType): Promise<Float32Array[]> {
    return texts.map((t) => {
      const v = this.termVector(t);
      if (inputType === 'query' && this.idf) for (let j = 0; j < this.dims; j++) v[j] *= this.idf[j];
      return normalize(v);
    });
  }
}

/** What an engine-backed embedding model needs to know. */
export interface EngineEmbedderOptions {
  id: string;
  label: string;
  model?: string;
  dims: number;
  batchSize?: number;
  /** Text prepended to queries (retrieval models are trained with one). */
  queryPrefix?: string;
}

/** snowflake-arctic-embed (m and s) expect this prefix on queries, nothing on documents. */
export const ARCTIC_QUERY_PREFIX = 'Represent this sentence for searching relevant passages: ';

/** web-llm's embedding models (prebuilt ids in web-llm 0.2.x), with their dimensions. */
export const WEBLLM_EMBEDDERS: EngineEmbedderOptions[] = [
  { id: 'webllm:snowflake-arctic-embed-s-q0f32-MLC-b4', model: 'snowflake-arctic-embed-s-q0f32-MLC-b4', label: 'snowflake-arctic-embed-s (web-llm, GPU, ~130 MB)', dims: 384, batchSize: 4, queryPrefix: ARCTIC_QUERY_PREFIX },
  { id: 'webllm:snowflake-arctic-embed-m-q0f32-MLC-b4', model: 'snowflake-arctic-embed-m-q0f32-MLC-b4', label: 'snowflake-arctic-embed-m (web-llm, GPU, ~440 MB)', dims: 768, batchSize: 4, queryPrefix: ARCTIC_QUERY_PREFIX },
];

/**
 * Embeddings through any ChatEngine (web-llm worker or remote `/v1/embeddings`). The query prefix
 * is added here, and `input_type` is not sent, so an engine can't add it twice.
 */
export class EngineEmbedder implements Embedder {
  readonly kind = 'neural' as const;
  readonly id: string;
  readonly label: string;
  readonly batchSize: number;
  dims: number;

  constructor(
    private readonly engine: Pick<ChatEngine, 'embeddings'>,
    private readonly opts: EngineEmbedderOptions,
  ) {
    this.id = opts.id;
    this.label = opts.label;
    this.dims = opts.dims;
    this.batchSize = opts.batchSize ?? 16;
  }

  async embed(texts: string[], inputType: InputType, signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const prefix = inputType === 'query' ? (this.opts.queryPrefix ?? '') : '';
    for (let i = 0; i < texts.length; i += this.batchSize) {
      if (signal?.aborted) throw new DOMException('Embedding cancelled', 'AbortError');
      const batch = texts.slice(i, i + this.batchSize).map((t) => prefix + t);
      const res = await this.engine.embeddings.create({ input: batch, model: this.opts.model });
      const data = [...res.data].sort((a, b) => a.index - b.index);
      for (const d of data) {
        const v = d.embedding instanceof Float32Array ? new Float32Array(d.embedding) : Float32Array.from(d.embedding);
        if (this.dims === 0) this.dims = v.length;
        if (v.length !== this.dims) throw new Error(`${this.label} returned ${v.length} dimensions, expected ${this.dims}.`);
        out.push(normalize(v));
      }
    }
    return out;
  }
}

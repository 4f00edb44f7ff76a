/**
 * Encoding and decoding with a byte-level BPE vocabulary.
 *
 * encode: split on allowed special tokens (longest wins) → GPT-2 regex pre-tokens → UTF-8 bytes
 * → apply merges, always the lowest-ranked adjacent pair first (leftmost on ties), exactly like
 * tiktoken and Hugging Face `tokenizers`. Pre-token results are cached, which is what makes
 * encoding natural text fast (most words repeat).
 */
import { bytesKey, utf8, utf8Decode } from './bytes';
import { scanPretokens, specialsRegex } from './pretokenize';
import { fromGPT2Files, fromHFJson, toGPT2Files, toHFJson, type HFTokenizerJson } from './formats';

/** Which special tokens `encode` recognises: 'all' (default), or a list; others are plain text. */
export type AllowedSpecial = 'all' | Iterable<string>;

export interface EncodeOptions {
  /**
   * Special tokens to recognise in the text. Default 'all' (every special token the tokenizer was
   * built with, as in CS336). Pass `[]` for untrusted text, so that a user typing
   * "<|endoftext|>" gets ordinary tokens rather than the control token.
   */
  allowedSpecial?: AllowedSpecial;
}

// Pair keys pack two ids into one number: a * STRIDE + b.
const STRIDE = 0x4000000;
// Pieces longer than this use the heap-based merge (O(n log n)) instead of the quadratic scan.
const LONG_PIECE = 64;
const CACHE_LIMIT = 50_000;

/** A byte-level BPE tokenizer built from a vocabulary (id → bytes) and ordered merges. */
export class Tokenizer {
  readonly vocab: Map<number, Uint8Array>;
  readonly merges: Array<[Uint8Array, Uint8Array]>;
  readonly specialTokens: string[];
  /** special token text → id */
  readonly specialIds = new Map<string, number>();
  private idOf = new Map<string, number>();
  private byteIds = new Int32Array(256);
  /** pair key → merge rank (lower merges first) */
  private rankOf = new Map<number, number>();
  /** merge rank → id of the merged token */
  private mergedId: Int32Array;
  private cache = new Map<string, number[]>();
  private splitters = new Map<string, RegExp | null>();
  private maxId = -1;

  constructor(vocab: Map<number, Uint8Array>, merges: Array<[Uint8Array, Uint8Array]>, specialTokens: string[] = []) {
    this.vocab = new Map(vocab);
    this.merges = merges;
    for (const [id, bytes] of this.vocab) {
      if (!Number.isInteger(id) || id < 0 || id >= STRIDE) throw new RangeError(`Invalid token id ${id}`);
      const k = bytesKey(bytes);
      if (!this.idOf.has(k) || id < this.idOf.get(k)!) this.idOf.set(k, id);
      if (id > this.maxId) this.maxId = id;
    }
    for (let b = 0; b < 256; b++) {
      const id = this.idOf.get(String.fromCharCode(b));
      if (id === undefined) throw new Error(`The vocabulary has no token for byte 0x${b.toString(16).padStart(2, '0')}: not a byte-level BPE vocabulary`);
      this.byteIds[b] = id;
    }
    // Special tokens: reuse an existing id when the vocabulary already holds the bytes, else append.
    this.specialTokens = [...new Set(specialTokens)];
    const enc = new TextEncoder();
    for (const s of this.specialTokens) {
      const bytes = enc.encode(s);
      let id = this.idOf.get(bytesKey(bytes));
      if (id === undefined) {
        id = ++this.maxId;
        this.vocab.set(id, bytes);
        this.idOf.set(bytesKey(bytes), id);
      }
      this.specialIds.set(s, id);
    }
    this.mergedId = new Int32Array(merges.length);
    merges.forEach(([l, r], rank) => {
      const kl = bytesKey(l);
      const kr = bytesKey(r);
      const a = this.idOf.get(kl);
      const b = this.idOf.get(kr);
      const c = this.idOf.get(kl + kr);
      if (a === undefined || b === undefined || c === undefined) {
        throw new Error(`Merge #${rank} (${JSON.stringify(utf8Decode(l))} + ${JSON.stringify(utf8Decode(r))}) uses or makes a token missing from the vocabulary`);
      }
      const key = a * STRIDE + b;
      if (!this.rankOf.has(key)) this.rankOf.set(key, rank);
      this.mergedId[rank] = c;
    });
  }

  /** Reads a Hugging Face `tokenizer.json` (text or parsed object) of a byte-level BPE tokenizer. */
  static fromHFJson(json: string | unknown): Tokenizer {
    const p = fromHFJson(json);
    return new Tokenizer(p.vocab, p.merges, p.specialTokens);
  }

  /** Reads GPT-2's `vocab.json` + `merges.txt` (special tokens: GPT-2 has `<|endoftext|>`). */
  static fromGPT2Files(vocabJson: string | Record<string, number>, mergesTxt: string, specialTokens?: string[]): Tokenizer {
    const p = fromGPT2Files(vocabJson, mergesTxt, specialTokens);
    return new Tokenizer(p.vocab, p.merges, p.specialTokens);
  }

  /** This tokenizer as a Hugging Face `tokenizer.json` object (`JSON.stringify` it to save). */
  toHFJson(): HFTokenizerJson {
    return toHFJson(this, this.specialIds);
  }

  /** This tokenizer as GPT-2's `vocab.json` and `merges.txt` texts. */
  toGPT2Files(): { vocabJson: string; mergesTxt: string } {
    return toGPT2Files(this);
  }

  /** Number of ids (largest id + 1). */
  get vocabSize(): number {
    return this.maxId + 1;
  }

  /** The bytes of one token (undefined for an unknown id). */
  tokenBytes(id: number): Uint8Array | undefined {
    return this.vocab.get(id);
  }

  /** The id of a token given as bytes or text, if it is in the vocabulary. */
  tokenToId(token: Uint8Array | string): number | undefined {
    return this.idOf.get(bytesKey(typeof token === 'string' ? new TextEncoder().encode(token) : token));
  }

  /** True for the ids of special tokens. */
  isSpecial(id: number): boolean {
    for (const v of this.specialIds.values()) if (v === id) return true;
    return false;
  }

  /** Token ids of `text`. */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    const out: number[] = [];
    const splitter = this.splitter(opts.allowedSpecial);
    if (!splitter) {
      this.encodeOrdinary(text, out);
      return out;
    }
    let last = 0;
    splitter.lastIndex = 0;
    for (let m = splitter.exec(text); m; m = splitter.exec(text)) {
      if (m.index > last) this.encodeOrdinary(text.slice(last, m.index), out);
      out.push(this.specialIds.get(m[0])!);
      last = m.index + m[0].length;
    }
    if (last < text.length) this.encodeOrdinary(last === 0 ? text : text.slice(last), out);
    return out;
  }

  /**
   * Encodes a stream of text chunks (lines of a file, network chunks) lazily, holding only a small
   * tail in memory. Gives exactly `encode(chunks.join(''))`: a chunk boundary may fall inside a
   * word, a special token or a surrogate pair.
   */
  *encodeIterable(chunks: Iterable<string>, opts: EncodeOptions = {}): Generator<number, void, undefined> {
    let buf = '';
    for (const chunk of chunks) {
      buf += chunk;
      if (buf.length < 16_384) continue;
      const cut = this.safeCut(buf, opts.allowedSpecial);
      if (cut > 0) {
        yield* this.encode(buf.slice(0, cut), opts);
        buf = buf.slice(cut);
      }
    }
    if (buf) yield* this.encode(buf, opts);
  }

  /** Async version of `encodeIterable` (for `ReadableStream`s and async generators). */
  async *encodeAsyncIterable(chunks: AsyncIterable<string>, opts: EncodeOptions = {}): AsyncGenerator<number, void, undefined> {
    let buf = '';
    for await (const chunk of chunks) {
      buf += chunk;
      if (buf.length < 16_384) continue;
      const cut = this.safeCut(buf, opts.allowedSpecial);
      if (cut > 0) {
        yield* this.encode(buf.slice(0, cut), opts);
        buf = buf.slice(cut);
      }
    }
    if (buf) yield* this.encode(buf, opts);
  }

  /** The bytes of a sequence of ids; throws RangeError on an unknown id. */
  decodeBytes(ids: Iterable<number>): Uint8Array {
    const parts: Uint8Array[] = [];
    let n = 0;
    for (const id of ids) {
      const b = this.vocab.get(id);
      if (!b) throw new RangeError(`Unknown token id ${id}`);
      parts.push(b);
      n += b.length;
    }
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** Text of a sequence of ids; bytes that are not valid UTF-8 become U+FFFD. */
  decode(ids: Iterable<number>): string {
    return utf8Decode(this.decodeBytes(ids));
  }

  /** A decoder for ids that arrive one at a time (streaming generation). */
  streamingDecoder(): StreamingDecoder {
    return new StreamingDecoder(this);
  }

  // ---- internals ----

  private splitter(allowed: AllowedSpecial | undefined): RegExp | null {
    if (this.specialTokens.length === 0) return null;
    const list = allowed === undefined || allowed === 'all' ? this.specialTokens : [...allowed].filter((s) => this.specialIds.has(s));
    const key = list.join('\u0000');
    let re = this.splitters.get(key);
    if (re === undefined) {
      re = specialsRegex(list);
      this.splitters.set(key, re);
    }
    return re;
  }

  /** Encodes text with no special tokens into `out`. */
  private encodeOrdinary(text: string, out: number[]): void {
    const cache = this.cache;
    scanPretokens(text, (s, e) => {
      const piece = text.slice(s, e);
      let ids = cache.get(piece);
      if (ids === undefined) {
        ids = this.bpe(utf8(piece));
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(piece, ids);
      }
      for (let i = 0; i < ids.length; i++) out.push(ids[i]);
    });
  }

  /** Applies the merges to one pre-token's bytes. */
  private bpe(bytes: Uint8Array): number[] {
    const n = bytes.length;
    const ids: number[] = new Array(n);
    for (let i = 0; i < n; i++) ids[i] = this.byteIds[bytes[i]];
    if (n < 2) return ids;
    if (n > LONG_PIECE) return this.bpeLong(ids);
    // ranks[i] = rank of the pair (ids[i], ids[i+1]), or Infinity.
    const ranks: number[] = new Array(n - 1);
    for (let i = 0; i + 1 < n; i++) ranks[i] = this.rankOf.get(ids[i] * STRIDE + ids[i + 1]) ?? Infinity;
    for (;;) {
      // Find the lowest-ranked pair (leftmost on ties).
      let best = Infinity;
      let at = -1;
      for (let i = 0; i < ranks.length; i++) {
        if (ranks[i] < best) {
          best = ranks[i];
          at = i;
        }
      }
      if (at < 0) return ids;
      // Merge it and refresh the ranks of its two neighbours.
      ids[at] = this.mergedId[best];
      ids.splice(at + 1, 1);
      ranks.splice(at, 1);
      if (at > 0) ranks[at - 1] = this.rankOf.get(ids[at - 1] * STRIDE + ids[at]) ?? Infinity;
      if (at < ranks.length) ranks[at] = this.rankOf.get(ids[at] * STRIDE + ids[at + 1]) ?? Infinity;
    }
  }

  /** BPE for long pieces: a doubly linked list of symbols and a heap of (rank, position). */
  private bpeLong(ids: number[]): number[] {
    const n = ids.length;
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const alive = new Uint8Array(n).fill(1);
    // Heap entries: rank * n + position (leftmost first at equal rank); rank < 2^26, n small enough.
    const heap: number[] = [];
    const push = (v: number) => {
      heap.push(v);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heap[p] <= v) break;
        heap[i] = heap[p];
        i = p;
      }
      heap[i] = v;
    };
    const pop = (): number => {
      const top = heap[0];
      const last = heap.pop()!;
      if (heap.length > 0) {
        let i = 0;
        const len = heap.length;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= len) break;
          const r = l + 1;
          const c = r < len && heap[r] < heap[l] ? r : l;
          if (heap[c] >= last) break;
          heap[i] = heap[c];
          i = c;
        }
        heap[i] = last;
      }
      return top;
    };
    const rankAt = (i: number): number => {
      const j = next[i];
      if (j < 0) return -1;
      return this.rankOf.get(ids[i] * STRIDE + ids[j]) ?? -1;
    };
    for (let i = 0; i + 1 < n; i++) {
      const r = rankAt(i);
      if (r >= 0) push(r * n + i);
    }
    while (heap.length > 0) {
      const v = pop();
      const rank = Math.floor(v / n);
      const i = v - rank * n;
      if (!alive[i] || rankAt(i) !== rank) continue; // stale entry
      const j = next[i];
      ids[i] = this.mergedId[rank];
      alive[j] = 0;
      next[i] = next[j];
      if (next[j] >= 0) prev[next[j]] = i;
      const p = prev[i];
      if (p >= 0) {
        const r = rankAt(p);
        if (r >= 0) push(r * n + p);
      }
      const r = rankAt(i);
      if (r >= 0) push(r * n + i);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]) out.push(ids[i]);
    return out;
  }

  /**
   * The largest prefix length of `buf` whose encoding cannot change whatever text follows:
   * it ends before the last two pre-tokens of the final stretch, and before any place where a
   * special token could still be completing.
   */
  private safeCut(buf: string, allowed: AllowedSpecial | undefined): number {
    const splitter = this.splitter(allowed);
    let maxSpecial = 0;
    for (const s of this.specialTokens) maxSpecial = Math.max(maxSpecial, s.length);
    const limit = buf.length - Math.max(0, maxSpecial - 1) - 1;
    let best = 0;
    const scanText = (start: number, end: number) => {
      const ends: number[] = [];
      const starts: number[] = [];
      scanPretokens(buf.slice(start, end), (s, e) => {
        starts.push(start + s);
        ends.push(start + e);
      });
      // Cut before piece j+1 when pieces j+1 and j+2 both end within the limit.
      for (let j = starts.length - 3; j >= 0; j--) {
        if (ends[j + 2] <= limit) {
          best = Math.max(best, starts[j + 1]);
          break;
        }
      }
    };
    let last = 0;
    if (splitter) {
      splitter.lastIndex = 0;
      for (let m = splitter.exec(buf); m; m = splitter.exec(buf)) {
        if (m.index > limit) break;
        if (m.index > last) scanText(last, m.index);
        last = m.index + m[0].length;
        best = Math.max(best, last);
      }
      splitter.lastIndex = 0;
    }
    if (last < buf.length) scanText(last, buf.length);
    return best;
  }
}

/**
 * Turns ids into text as they arrive, never emitting half of a multi-byte UTF-8 character: bytes
 * of an incomplete character are held until the rest arrives (or `flush()` ends the stream).
 */
export class StreamingDecoder {
  private decoder = new TextDecoder('utf-8', { fatal: false });
  constructor(private readonly tokenizer: Tokenizer) {}

  /** Adds one id (or several) and returns the text that is now complete (maybe ''). */
  push(ids: number | Iterable<number>): string {
    const bytes = this.tokenizer.decodeBytes(typeof ids === 'number' ? [ids] : ids);
    return this.decoder.decode(bytes, { stream: true });
  }

  /** Ends the stream: returns what is left (an unfinished character becomes U+FFFD). */
  flush(): string {
    return this.decoder.decode();
  }
}

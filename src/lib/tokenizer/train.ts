/**
 * Byte-level BPE training (Sennrich et al. 2016; GPT-2's byte-level variant), with the
 * conventions of Stanford CS336 assignment 1 so its public test cases apply:
 *  - ids: special tokens first, then the 256 single bytes, then one new token per merge;
 *  - text is split on special tokens (which are never counted or merged), then pre-tokenized
 *    with GPT-2's regex; merges never cross a pre-token;
 *  - each step merges the most frequent adjacent pair; ties go to the lexicographically greater
 *    pair of byte strings (compare first parts, then second parts, as Python tuples of bytes).
 *
 * Speed: pairs are counted once; each merge only revisits the words that contain the merged
 * pair (an index pair → words) and applies count deltas; the most frequent pair comes from a
 * max-heap with lazy deletion (stale entries are skipped when popped). No recounting.
 */
import { compareBytes, concatBytes, utf8 } from './bytes';
import { scanPretokens, specialsRegex, splitOnSpecials } from './pretokenize';

/** A trained vocabulary (id → bytes) and the merges in the order they were learned. */
export interface BPEModel {
  vocab: Map<number, Uint8Array>;
  merges: Array<[Uint8Array, Uint8Array]>;
}

/** One learned merge, as reported to `onMerge`. */
export interface MergeStep {
  /** 0-based merge number. */
  index: number;
  /** The id of the new token. */
  id: number;
  left: Uint8Array;
  right: Uint8Array;
  /** How many times the pair occurred in the corpus when it was merged. */
  count: number;
}

export interface TrainProgress {
  phase: 'pretokenize' | 'merge';
  /** Characters pre-tokenized, or merges done. */
  done: number;
  total: number;
}

export interface TrainOptions {
  /** Called every `progressEvery` merges (and during pre-tokenization). */
  onProgress?: (p: TrainProgress) => void;
  /** Called after every merge with the pair, its count and the new id. */
  onMerge?: (m: MergeStep) => void;
  /** Checked between merges; training throws an `AbortError` when it fires. */
  signal?: AbortSignal;
  /** Default 50. */
  progressEvery?: number;
}

/** The result of a training run, with the count of every merged pair (for teaching views). */
export interface TrainResult extends BPEModel {
  counts: number[];
  /** Distinct pre-tokens and their total in the corpus. */
  stats: { uniqueWords: number; totalWords: number; bytes: number };
}

// Pair keys pack two ids into one number: a * STRIDE + b (exact below 2^53 for ids < 2^26).
const STRIDE = 0x4000000;

function abortError(): Error {
  const e = new Error('Training was cancelled');
  e.name = 'AbortError';
  return e;
}

/**
 * Incremental BPE trainer: construct (pre-tokenizes and counts), then call `step()` until it
 * returns null. `trainBPE` and `trainBPEAsync` drive it.
 */
export class BPETrainer {
  readonly targetVocabSize: number;
  readonly specialTokens: string[];
  /** id → bytes, growing by one per merge. */
  readonly tokens: Uint8Array[] = [];
  readonly merges: Array<[Uint8Array, Uint8Array]> = [];
  readonly counts: number[] = [];
  readonly stats: { uniqueWords: number; totalWords: number; bytes: number };

  // Words: symbol ids (in place; the live length is in wordLen) and their corpus frequency.
  private words: Int32Array[] = [];
  private wordLen: Int32Array;
  private wordFreq: Float64Array;
  private pairCount = new Map<number, number>();
  /** pair → indices of words that contain (or once contained) it; may hold stale/duplicate entries. */
  private pairWords = new Map<number, number[]>();
  private seen: Int32Array;
  // Max-heap of (count, pair) with lazy deletion.
  private heapKey: number[] = [];
  private heapCnt: number[] = [];

  constructor(text: string, vocabSize: number, specialTokens: string[] = [], onProgress?: (p: TrainProgress) => void) {
    this.specialTokens = [...new Set(specialTokens)];
    const minSize = 256 + this.specialTokens.length;
    if (!Number.isInteger(vocabSize) || vocabSize < minSize) {
      throw new RangeError(`vocabSize must be an integer ≥ ${minSize} (256 bytes + ${this.specialTokens.length} special tokens), got ${vocabSize}`);
    }
    if (vocabSize >= STRIDE) throw new RangeError(`vocabSize must be < ${STRIDE}`);
    this.targetVocabSize = vocabSize;
    const enc = new TextEncoder();
    for (const s of this.specialTokens) this.tokens.push(enc.encode(s));
    for (let b = 0; b < 256; b++) this.tokens.push(Uint8Array.of(b));

    // 1. Count pre-tokens (the special tokens themselves are dropped from the statistics).
    const freq = new Map<string, number>();
    let nextReport = 1 << 20;
    let totalWords = 0;
    for (const seg of splitOnSpecials(text, specialsRegex(this.specialTokens))) {
      if (seg.special) continue;
      const t = seg.text;
      scanPretokens(t, (s, e) => {
        const w = t.slice(s, e);
        freq.set(w, (freq.get(w) ?? 0) + 1);
        totalWords++;
        if (onProgress && seg.start + s > nextReport) {
          nextReport = seg.start + s + (1 << 20);
          onProgress({ phase: 'pretokenize', done: seg.start + s, total: text.length });
        }
      });
    }

    // 2. Words as byte-token ids, and the initial pair counts.
    const n = freq.size;
    this.wordLen = new Int32Array(n);
    this.wordFreq = new Float64Array(n);
    this.seen = new Int32Array(n).fill(-1);
    const offset = this.specialTokens.length;
    let w = 0;
    let bytes = 0;
    for (const [word, f] of freq) {
      const b = utf8(word);
      const ids = new Int32Array(b.length);
      for (let i = 0; i < b.length; i++) ids[i] = b[i] + offset;
      this.words.push(ids);
      this.wordLen[w] = ids.length;
      this.wordFreq[w] = f;
      bytes += b.length * f;
      for (let i = 0; i + 1 < ids.length; i++) {
        const key = ids[i] * STRIDE + ids[i + 1];
        this.pairCount.set(key, (this.pairCount.get(key) ?? 0) + f);
        const list = this.pairWords.get(key);
        if (!list) this.pairWords.set(key, [w]);
        else if (list[list.length - 1] !== w) list.push(w);
      }
      w++;
    }
    this.stats = { uniqueWords: n, totalWords, bytes };
    for (const [key, c] of this.pairCount) {
      this.heapKey.push(key);
      this.heapCnt.push(c);
    }
    for (let i = (this.heapKey.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** Merges learned so far plus the ones still to learn (if the corpus allows). */
  get totalMerges(): number {
    return this.targetVocabSize - 256 - this.specialTokens.length;
  }

  /** Learns one merge; returns it, or null when the vocabulary is full or no pair is left. */
  step(): MergeStep | null {
    if (this.tokens.length >= this.targetVocabSize) return null;
    const best = this.popBest();
    if (best === null) return null;
    const [key, count] = best;
    const a = Math.floor(key / STRIDE);
    const b = key - a * STRIDE;
    const id = this.tokens.length;
    this.tokens.push(concatBytes(this.tokens[a], this.tokens[b]));
    this.merges.push([this.tokens[a], this.tokens[b]]);
    this.counts.push(count);
    this.applyMerge(key, a, b, id);
    return { index: this.merges.length - 1, id, left: this.tokens[a], right: this.tokens[b], count };
  }

  /** The trained model (vocab: id → bytes; merges in order). */
  result(): TrainResult {
    const vocab = new Map<number, Uint8Array>();
    this.tokens.forEach((t, i) => vocab.set(i, t));
    return { vocab, merges: this.merges.slice(), counts: this.counts.slice(), stats: this.stats };
  }

  /** Replaces every (a, b) by `id` in the words that hold it and updates pair counts by deltas. */
  private applyMerge(key: number, a: number, b: number, id: number): void {
    const list = this.pairWords.get(key) ?? [];
    this.pairWords.delete(key);
    this.pairCount.delete(key);
    const stamp = this.merges.length;
    const changed = new Set<number>();
    const pc = this.pairCount;
    for (const w of list) {
      if (this.seen[w] === stamp) continue; // duplicate entry
      this.seen[w] = stamp;
      const ids = this.words[w];
      const len = this.wordLen[w];
      const f = this.wordFreq[w];
      // Merge left to right in place (j ≤ i), updating only the pairs around each merge site,
      // as Hugging Face tokenizers does: (prev, a) → (prev, id) and (b, next) → (id, next). The
      // left neighbour is read from the rewritten part, so "a b a b" correctly yields (id, id).
      let j = 0;
      let i = 0;
      let merged = false;
      while (i < len) {
        if (i + 1 < len && ids[i] === a && ids[i + 1] === b) {
          merged = true;
          if (j > 0) {
            const p = ids[j - 1];
            this.addPair(p * STRIDE + a, -f, key, changed);
            this.addPair(p * STRIDE + id, f, key, changed);
            this.indexPair(p * STRIDE + id, w);
          }
          if (i + 2 < len) {
            const nx = ids[i + 2];
            this.addPair(b * STRIDE + nx, -f, key, changed);
            this.addPair(id * STRIDE + nx, f, key, changed);
            this.indexPair(id * STRIDE + nx, w);
          }
          ids[j++] = id;
          i += 2;
        } else ids[j++] = ids[i++];
      }
      if (merged) this.wordLen[w] = j;
    }
    for (const k of changed) {
      const c = pc.get(k)!;
      if (c <= 0) {
        pc.delete(k);
        continue;
      }
      this.push(k, c);
    }
  }

  /** Adds `delta` to a pair's count (the pair being merged is skipped: it is gone). */
  private addPair(k: number, delta: number, merging: number, changed: Set<number>): void {
    if (k === merging) return;
    this.pairCount.set(k, (this.pairCount.get(k) ?? 0) + delta);
    changed.add(k);
  }

  /** Records that word `w` contains pair `k` (duplicates are skipped when read). */
  private indexPair(k: number, w: number): void {
    const l = this.pairWords.get(k);
    if (!l) this.pairWords.set(k, [w]);
    else if (l[l.length - 1] !== w) l.push(w);
  }

  /** True when pair k1 outranks k2 at equal counts: the lexicographically greater (bytes, bytes). */
  private greaterPair(k1: number, k2: number): boolean {
    const a1 = Math.floor(k1 / STRIDE);
    const a2 = Math.floor(k2 / STRIDE);
    const c = a1 === a2 ? 0 : compareBytes(this.tokens[a1], this.tokens[a2]);
    if (c !== 0) return c > 0;
    return compareBytes(this.tokens[k1 - a1 * STRIDE], this.tokens[k2 - a2 * STRIDE]) > 0;
  }

  private above(i: number, j: number): boolean {
    const ci = this.heapCnt[i];
    const cj = this.heapCnt[j];
    if (ci !== cj) return ci > cj;
    return this.greaterPair(this.heapKey[i], this.heapKey[j]);
  }

  private swap(i: number, j: number): void {
    const k = this.heapKey[i];
    this.heapKey[i] = this.heapKey[j];
    this.heapKey[j] = k;
    const c = this.heapCnt[i];
    this.heapCnt[i] = this.heapCnt[j];
    this.heapCnt[j] = c;
  }

  private siftDown(i: number): void {
    const n = this.heapKey.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.above(l, m)) m = l;
      if (r < n && this.above(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private push(key: number, count: number): void {
    this.heapKey.push(key);
    this.heapCnt.push(count);
    let i = this.heapKey.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** Pops the most frequent live pair (skipping stale heap entries). */
  private popBest(): [number, number] | null {
    while (this.heapKey.length > 0) {
      const key = this.heapKey[0];
      const cnt = this.heapCnt[0];
      const lastK = this.heapKey.pop()!;
      const lastC = this.heapCnt.pop()!;
      if (this.heapKey.length > 0) {
        this.heapKey[0] = lastK;
        this.heapCnt[0] = lastC;
        this.siftDown(0);
      }
      if (this.pairCount.get(key) === cnt) return [key, cnt];
    }
    return null;
  }
}

/**
 * Trains a byte-level BPE tokenizer on `text` up to `vocabSize` tokens (specials + 256 bytes +
 * merges). Fewer merges are learned when the corpus runs out of pairs.
 */
export function trainBPE(text: string, vocabSize: number, specialTokens: string[] = [], opts: TrainOptions = {}): TrainResult {
  const trainer = new BPETrainer(text, vocabSize, specialTokens, opts.onProgress);
  const every = opts.progressEvery ?? 50;
  const total = trainer.totalMerges;
  for (;;) {
    if (opts.signal?.aborted) throw abortError();
    const m = trainer.step();
    if (!m) break;
    opts.onMerge?.(m);
    if (opts.onProgress && (m.index + 1) % every === 0) opts.onProgress({ phase: 'merge', done: m.index + 1, total });
  }
  opts.onProgress?.({ phase: 'merge', done: trainer.merges.length, total });
  return trainer.result();
}

/**
 * Like `trainBPE`, but yields to the event loop every `sliceMs` so that an `AbortSignal` fired
 * from the same thread (a Cancel button, a timeout) can stop it.
 */
export async function trainBPEAsync(
  text: string,
  vocabSize: number,
  specialTokens: string[] = [],
  opts: TrainOptions & { sliceMs?: number } = {},
): Promise<TrainResult> {
  const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));
  if (opts.signal?.aborted) throw abortError();
  const trainer = new BPETrainer(text, vocabSize, specialTokens, opts.onProgress);
  const every = opts.progressEvery ?? 50;
  const slice = opts.sliceMs ?? 30;
  const total = trainer.totalMerges;
  let t0 = Date.now();
  for (;;) {
    if (Date.now() - t0 > slice) {
      await yieldNow();
      t0 = Date.now();
    }
    if (opts.signal?.aborted) throw abortError();
    const m = trainer.step();
    if (!m) break;
    opts.onMerge?.(m);
    if (opts.onProgress && (m.index + 1) % every === 0) opts.onProgress({ phase: 'merge', done: m.index + 1, total });
  }
  opts.onProgress?.({ phase: 'merge', done: trainer.merges.length, total });
  return trainer.result();
}

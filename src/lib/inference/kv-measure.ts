/**
 * KV cache, measured: greedy decoding with the cache (each step appends one token and attends over
 * the cached keys/values) and without it (each step recomputes the whole prefix from scratch),
 * per-step time against position, the tokens of both (they must be identical), and the cache's
 * real buffer sizes against the formula 2 · layers · KV heads · head dim · bytes per token —
 * for TinyLM as shipped (grouped-query attention) and for the same shape with full multi-head
 * attention (one KV head per query head).
 */
import type { TinyLMConfig } from '../tinylm/contract';
import { TinyLM } from '../tinylm/model';
import { TinyLMSession } from '../tinylm/session';
import { argmaxOf } from './speculative';
import { LabError } from '../errors';

/** KV-cache bytes per token: 2 (K and V) · layers · KV heads · head dim · bytes per value. */
export function kvBytesPerToken(layers: number, kvHeads: number, headDim: number, bytesPerValue: number): number {
  return 2 * layers * kvHeads * headDim * bytesPerValue;
}

export interface KvPoint {
  /** Position of the token being appended (prompt length + step). */
  pos: number;
  cachedMs: number;
  uncachedMs: number;
}

export interface KvMemory {
  label: string;
  heads: number;
  kvHeads: number;
  headDim: number;
  layers: number;
  /** From the formula, float32 values. */
  formulaBytesPerToken: number;
  /** The session's real K/V buffers divided by the window they hold. */
  bufferBytesPerToken: number;
  windowBytes: number;
}

export interface KvDecodeResult {
  promptTokens: number;
  pieces: string[];
  cachedIds: number[];
  uncachedIds: number[];
  identical: boolean;
  points: KvPoint[];
  /** Least-squares slope of ms per step against position, for each method (ms per position). */
  cachedSlope: number;
  uncachedSlope: number;
  cachedTotalMs: number;
  uncachedTotalMs: number;
  memory: KvMemory[];
}

/** Least-squares slope of y on x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx ? sxy / sxx : NaN;
}

/** Real buffer bytes vs the formula for a config (weights never matter for the cache size). */
export function kvMemory(label: string, c: TinyLMConfig): KvMemory {
  const hd = c.dim / c.nHeads;
  // Random weights of this shape: only the session's buffers are measured.
  const s = new TinyLMSession(TinyLM.init(c, 1), { simd: false });
  return {
    label, heads: c.nHeads, kvHeads: c.nKvHeads, headDim: hd, layers: c.nLayers,
    formulaBytesPerToken: kvBytesPerToken(c.nLayers, c.nKvHeads, hd, 4),
    bufferBytesPerToken: s.cacheBytes / c.maxSeqLen,
    windowBytes: s.cacheBytes,
  };
}

/**
 * Greedy decoding of `maxTokens` after `prompt`, with and without the KV cache. Cached steps are
 * timed as the fastest of `reps` repetitions (truncate + re-append the same token): one step takes
 * about as long as the browser's timer resolution, and the fastest run is the least disturbed.
 * Uncached steps are the fastest of `uncachedReps` runs for the same reason: one run is a few
 * milliseconds, and a garbage collection or another process can triple it, which hides the growth
 * with position the chart is there to show. `onPoints` receives batches as they come.
 */
export function kvDecode(
  model: TinyLM, prompt: number[], maxTokens: number, piece: (id: number) => string,
  onPoints?: (pts: KvPoint[]) => void, reps = 5, uncachedReps = 3,
): KvDecodeResult {
  const c = model.config;
  const n = Math.max(1, Math.min(maxTokens, c.maxSeqLen - prompt.length));
  if (prompt.length >= c.maxSeqLen) throw new LabError('context-window', `The prompt has ${prompt.length} tokens; the window is ${c.maxSeqLen}.`, 'Shorten the prompt.');
  // With the cache: prefill once, then one token per step.
  const s = new TinyLMSession(model);
  let logits = s.append(prompt);
  const cachedIds: number[] = [];
  const cachedMs: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = argmaxOf(logits);
    cachedIds.push(id);
    if (i === n - 1) break;
    const pos = s.length;
    let best = Infinity;
    for (let r = 0; r < reps; r++) {
      s.truncate(pos);
      const t0 = performance.now();
      logits = s.append([id]);
      best = Math.min(best, performance.now() - t0);
    }
    cachedMs.push(best);
  }
  // Without the cache: every step runs the whole sequence so far through a fresh cache.
  const fresh = new TinyLMSession(model);
  const seq = [...prompt];
  const uncachedIds: number[] = [];
  const points: KvPoint[] = [];
  let batch: KvPoint[] = [];
  let uncachedTotal = 0;
  logits = fresh.append(seq);
  for (let i = 0; i < n; i++) {
    const id = argmaxOf(logits);
    uncachedIds.push(id);
    if (i === n - 1) break;
    seq.push(id);
    let ms = Infinity;
    for (let r = 0; r < uncachedReps; r++) {
      const t0 = performance.now();
      fresh.truncate(0);
      logits = fresh.append(seq);
      ms = Math.min(ms, performance.now() - t0);
    }
    uncachedTotal += ms;
    const pt = { pos: seq.length - 1, cachedMs: cachedMs[i], uncachedMs: ms };
    points.push(pt);
    batch.push(pt);
    if (batch.length >= 16 && onPoints) {
      onPoints(batch);
      batch = [];
    }
  }
  if (batch.length && onPoints) onPoints(batch);
  const xs = points.map((p) => p.pos);
  return {
    promptTokens: prompt.length,
    pieces: cachedIds.map(piece),
    cachedIds,
    uncachedIds,
    identical: cachedIds.length === uncachedIds.length && cachedIds.every((x, i) => x === uncachedIds[i]),
    points,
    cachedSlope: slope(xs, points.map((p) => p.cachedMs)),
    uncachedSlope: slope(xs, points.map((p) => p.uncachedMs)),
    cachedTotalMs: cachedMs.reduce((a, b) => a + b, 0),
    uncachedTotalMs: uncachedTotal,
    memory: [
      kvMemory(`TinyLM as shipped: ${c.nHeads} query heads share ${c.nKvHeads} KV head${c.nKvHeads > 1 ? 's' : ''} (GQA)`, c),
      kvMemory(`Same shape with full multi-head attention: ${c.nHeads} KV heads`, { ...c, nKvHeads: c.nHeads }),
    ],
  };
}

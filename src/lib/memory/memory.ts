/**
 * Memory maths for running a decoder-only model: weights at each precision and the KV cache
 * at each context length. Pure functions over a `ModelShape`; framework-free.
 *
 *   weights  = params × bits_per_weight / 8
 *   KV cache = 2 (K and V) × layers × kv_heads × head_dim × context × batch × bytes_per_element
 */
import type { ModelShape } from '../models/shapes';

export interface Precision {
  id: 'f32' | 'f16' | 'q8_0' | 'q4f16_1' | 'q4_0' | 'q3';
  label: string;
  /** Effective bits per weight, including the per-group scales of block quantization. */
  bitsPerWeight: number;
  note: string;
}

/** Weight precisions people actually ship, with their effective sizes. */
export const PRECISIONS: readonly Precision[] = [
  { id: 'f32', label: 'float32', bitsPerWeight: 32, note: 'training precision; 4 bytes per weight' },
  { id: 'f16', label: 'float16 / bfloat16', bitsPerWeight: 16, note: 'the usual checkpoint format' },
  // GGUF Q8_0: blocks of 32 int8 values + one f16 scale → (32·8 + 16) / 32 = 8.5 bits.
  { id: 'q8_0', label: 'int8 (Q8_0)', bitsPerWeight: 8.5, note: '32 int8 values share one f16 scale' },
  // web-llm q4f16_1 / GGUF Q4_0: 32 4-bit values + one f16 scale → (32·4 + 16) / 32 = 4.5 bits.
  { id: 'q4f16_1', label: 'int4 (q4f16_1, Q4_0)', bitsPerWeight: 4.5, note: '32 4-bit values share one f16 scale' },
  // web-llm q3f16_1 (its 70B builds): 40 3-bit values per f16 scale ≈ 3.4 bits.
  { id: 'q3', label: 'int3 (q3f16_1)', bitsPerWeight: 3.4, note: 'used by web-llm only for 70B models' },
] as const as readonly Precision[];

/** Bytes per element of the KV cache. */
export type KvDtype = 'f32' | 'f16' | 'q8';
export const KV_BYTES: Record<KvDtype, number> = { f32: 4, f16: 2, q8: 1 };

/** Bytes of the weights at a given number of bits per weight. */
export function weightBytes(params: number, bitsPerWeight: number): number {
  return (params * bitsPerWeight) / 8;
}

/** Bytes of KV cache one token adds: 2 × layers × kv_heads × head_dim × bytes. */
export function kvBytesPerToken(s: ModelShape, dtype: KvDtype = 'f16'): number {
  return 2 * s.layers * s.kvHeads * s.headDim * KV_BYTES[dtype];
}

/** Bytes of KV cache for `context` tokens in each of `batch` sequences. */
export function kvCacheBytes(s: ModelShape, context: number, dtype: KvDtype = 'f16', batch = 1): number {
  return kvBytesPerToken(s, dtype) * context * batch;
}

/** How much bigger the KV cache would be without grouped-query attention (heads / kv_heads). */
export function gqaSaving(s: ModelShape): number {
  return s.heads / s.kvHeads;
}

/**
 * The longest context whose KV cache fits in `budgetBytes` after the weights (and an overhead
 * for activations and the runtime), or 0 when the weights alone do not fit.
 */
export function maxContextForBudget(
  s: ModelShape,
  budgetBytes: number,
  bitsPerWeight: number,
  dtype: KvDtype = 'f16',
  overheadBytes = 0,
): number {
  const left = budgetBytes - weightBytes(s.params, bitsPerWeight) - overheadBytes;
  if (left <= 0) return 0;
  return Math.floor(left / kvBytesPerToken(s, dtype));
}

export interface MemoryRow {
  context: number;
  weights: number;
  kv: number;
  total: number;
  fits: boolean | null;
}

/** Weights + KV cache at each context length, and whether it fits a budget (null = unknown budget). */
export function memoryTable(
  s: ModelShape,
  contexts: readonly number[],
  bitsPerWeight: number,
  dtype: KvDtype,
  budgetBytes: number | null,
): MemoryRow[] {
  const w = weightBytes(s.params, bitsPerWeight);
  return contexts.map((context) => {
    const kv = kvCacheBytes(s, context, dtype);
    const total = w + kv;
    return { context, weights: w, kv, total, fits: budgetBytes === null ? null : total <= budgetBytes };
  });
}

/** Context lengths on the calculator's axis: powers of two from 512 up to `max` (inclusive of max). */
export function contextSteps(max: number, min = 512): number[] {
  const out: number[] = [];
  for (let c = min; c < max; c *= 2) out.push(c);
  out.push(max);
  return out;
}

/** Sizes are shown through the app's one formatter (binary units). */
export { formatBytes } from '../format/bytes';

/** Human-readable parameter count ("494M", "8.03B"). */
export function formatParams(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 1 : 2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export interface DeviceBudget {
  bytes: number | null;
  /** Where the budget figure comes from, in plain words. */
  basis: string;
}

/**
 * A rough memory budget from what the browser tells us: `navigator.deviceMemory` (RAM, GiB,
 * capped at 8 by Chromium) and WebGPU's `maxBufferSize`. Integrated GPUs share RAM, so we
 * take about half of the reported RAM as usable for a model; the learner can override it.
 */
export function deviceBudget(deviceMemoryGiB: number | null, gpuMaxBufferBytes: number | null): DeviceBudget {
  if (deviceMemoryGiB) {
    const bytes = (deviceMemoryGiB * 1024 ** 3) / 2;
    return {
      bytes,
      basis: `half of the ${deviceMemoryGiB} GiB RAM the browser reports${deviceMemoryGiB >= 8 ? ' (browsers cap this hint at 8 GiB)' : ''}`,
    };
  }
  if (gpuMaxBufferBytes) return { bytes: gpuMaxBufferBytes * 2, basis: 'twice the largest WebGPU buffer the adapter allows' };
  return { bytes: null, basis: 'this browser reports no memory size — enter one' };
}

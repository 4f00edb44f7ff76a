/**
 * NF4 ("4-bit NormalFloat", QLoRA, Dettmers et al. 2023) as bitsandbytes stores it, for the QLoRA
 * lab and the quantization lab.
 *
 *   blocks of `blockSize` (default 64) values → absmax (f32) + 4-bit codes (2 per byte)
 *   x ≈ NF4_CODE[q] · absmax[⌊i / blockSize⌋]
 *
 * The 16 code values are bitsandbytes' `get_4bit_type("nf4")`: quantiles of N(0, 1) scaled to
 * [−1, 1], asymmetric (7 negative, an exact 0, 8 positive) so that 0 is representable. A value goes
 * to the nearest code (the CUDA kernel's decision tree compares against the midpoints).
 * Byte packing follows bitsandbytes: element 2j in the high nibble, element 2j+1 in the low nibble.
 *
 * Double quantization (`compress_statistics=True`): the f32 absmax values are themselves quantized.
 * offset = mean(absmax); (absmax − offset) is quantized with bitsandbytes' signed 8-bit dynamic map
 * (`create_dynamic_map`) in blocks of 256, each with its own f32 absmax. Per parameter:
 *   plain: 4 + 32/64 = 4.5 bits;   double: 4 + 8/64 + 32/(64·256) ≈ 4.127 bits (+ one f32 offset).
 */

/** bitsandbytes' NF4 code book (functional.get_4bit_type('nf4')), as float32. */
export const NF4_CODE = Float32Array.from([
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
  -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
  0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
  0.7229568362236023, 1.0,
]);

/** Default NF4 block size (bitsandbytes quantize_4bit). */
export const NF4_BLOCK = 64;
/** Block size of the second-level (absmax) quantization. */
export const NF4_DQ_BLOCK = 256;

/** Options of `quantizeNF4`. */
export interface NF4Options {
  /** Quantize the per-block absmax values too (QLoRA's double quantization). Default false. */
  doubleQuant?: boolean;
  /** Values per block (default 64). */
  blockSize?: number;
}

/** The second-level quantization of the absmax values (double quantization). */
export interface NF4DoubleQuant {
  /** Index into `dynamicMap8()` per first-level block. */
  codes: Uint8Array;
  /** f32 absmax of each block of 256 (offset-subtracted) absmax values. */
  absmax: Float32Array;
  /** mean of the first-level absmax values, added back on dequantization. */
  offset: number;
  blockSize: number;
}

/** An NF4-quantized tensor. Exactly one of `absmax` / `doubleQuant` holds the block scales. */
export interface NF4Tensor {
  /** Number of values. */
  n: number;
  blockSize: number;
  /** Packed 4-bit code indices, ⌈n/2⌉ bytes: element 2j → high nibble, 2j+1 → low nibble. */
  codes: Uint8Array;
  /** f32 absmax per block (no double quantization), else null. */
  absmax: Float32Array | null;
  doubleQuant: NF4DoubleQuant | null;
  /** Storage cost: total bits / n (codes + scales, including the f32 offset). */
  bits: number;
}

/** Index of the code nearest to v (codes sorted ascending); ties go to the lower code. */
function nearest(code: Float32Array, v: number): number {
  let lo = 0, hi = code.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (code[mid] <= v) lo = mid;
    else hi = mid;
  }
  return v - code[lo] <= code[hi] - v ? lo : hi;
}

/** Blockwise absmax quantization onto a sorted code: indices + f32 absmax per block. */
function quantizeBlockwise(x: Float32Array, code: Float32Array, blockSize: number): { idx: Uint8Array; absmax: Float32Array } {
  const nb = Math.ceil(x.length / blockSize);
  const idx = new Uint8Array(x.length);
  const absmax = new Float32Array(nb);
  for (let b = 0; b < nb; b++) {
    const s = b * blockSize, e = Math.min(x.length, s + blockSize);
    let m = 0;
    for (let i = s; i < e; i++) m = Math.max(m, Math.abs(x[i]));
    absmax[b] = m;
    const inv = m > 0 ? 1 / m : 0;
    // Normalised to [−1, 1] in float32 as the kernels do, then the nearest code.
    for (let i = s; i < e; i++) idx[i] = nearest(code, Math.fround(x[i] * inv));
  }
  return { idx, absmax };
}

let dynMap: Float32Array | null = null;

/**
 * bitsandbytes' signed 8-bit dynamic quantization map (`create_dynamic_map(signed=True)`):
 * for exponent i = 0..6, 2^i fraction values (midpoints of linspace(0.1, 1, 2^i + 1)) times
 * 10^(i−6), both signs, plus 0 and 1 — 256 sorted values in [−1, 1].
 */
export function dynamicMap8(): Float32Array {
  if (dynMap) return dynMap;
  const data: number[] = [];
  for (let i = 0; i < 7; i++) {
    const items = 2 ** i + 1;
    const scale = 10 ** (i - 6);
    for (let j = 0; j < items - 1; j++) {
      // Midpoints of linspace(0.1, 1, items), computed in float64 and rounded once (torch's float32
      // linspace differs from this in the last bit for a few entries: within one float32 ulp).
      const a = 0.1 + (0.9 * j) / (items - 1), b = 0.1 + (0.9 * (j + 1)) / (items - 1);
      const mean = (a + b) / 2;
      data.push(Math.fround(scale * mean), Math.fround(-scale * mean));
    }
  }
  data.push(0, 1);
  data.sort((p, q) => p - q);
  dynMap = Float32Array.from(data);
  return dynMap;
}

/** Bits per parameter of NF4 storage for n values (codes, scales and, with double quant, the offset). */
export function nf4BitsPerParam(n: number, doubleQuant: boolean, blockSize = NF4_BLOCK): number {
  const nb = Math.ceil(n / blockSize);
  const scaleBits = doubleQuant ? 8 * nb + 32 * Math.ceil(nb / NF4_DQ_BLOCK) + 32 : 32 * nb;
  return (4 * n + scaleBits) / n;
}

/** Quantizes `x` to NF4 blocks (bitsandbytes' layout), optionally with double quantization. */
export function quantizeNF4(x: Float32Array, opts: NF4Options = {}): NF4Tensor {
  const blockSize = opts.blockSize ?? NF4_BLOCK;
  if (!Number.isInteger(blockSize) || blockSize < 2 || blockSize % 2) throw new RangeError(`NF4 block size must be an even integer, got ${blockSize}`);
  if (!x.length) throw new RangeError('NF4 needs at least one value');
  const { idx, absmax } = quantizeBlockwise(x, NF4_CODE, blockSize);
  const codes = new Uint8Array(Math.ceil(x.length / 2));
  for (let i = 0; i < x.length; i++) codes[i >> 1] |= i & 1 ? idx[i] : idx[i] << 4;
  let dq: NF4DoubleQuant | null = null;
  if (opts.doubleQuant) {
    let mean = 0;
    for (let b = 0; b < absmax.length; b++) mean += absmax[b];
    const offset = Math.fround(mean / absmax.length);
    const centred = absmax.map((a) => a - offset); // Float32Array: rounded to f32
    const q = quantizeBlockwise(centred, dynamicMap8(), NF4_DQ_BLOCK);
    dq = { codes: q.idx, absmax: q.absmax, offset, blockSize: NF4_DQ_BLOCK };
  }
  return {
    n: x.length, blockSize, codes, absmax: dq ? null : absmax, doubleQuant: dq,
    bits: nf4BitsPerParam(x.length, !!dq, blockSize),
  };
}

/** The per-block absmax values of an NF4 tensor (dequantizing the second level if needed). */
export function nf4Scales(q: NF4Tensor): Float32Array {
  if (q.absmax) return q.absmax;
  const dq = q.doubleQuant!;
  const map = dynamicMap8();
  const out = new Float32Array(dq.codes.length);
  for (let b = 0; b < out.length; b++) out[b] = map[dq.codes[b]] * dq.absmax[Math.floor(b / dq.blockSize)] + dq.offset;
  return out;
}

/** Dequantizes an NF4 tensor to float32 (into `out` when given: the on-the-fly path reuses a buffer). */
export function dequantizeNF4(q: NF4Tensor, out = new Float32Array(q.n)): Float32Array {
  if (out.length !== q.n) throw new RangeError(`dequantizeNF4: output of ${out.length} for ${q.n} values`);
  const scales = nf4Scales(q);
  for (let i = 0; i < q.n; i++) {
    const byte = q.codes[i >> 1];
    const c = i & 1 ? byte & 15 : byte >> 4;
    out[i] = NF4_CODE[c] * scales[Math.floor(i / q.blockSize)];
  }
  return out;
}

/** Bytes an NF4 tensor occupies (codes + scales). */
export function nf4Bytes(q: NF4Tensor): number {
  return Math.ceil((q.bits * q.n) / 8);
}

/** Round-trip error of NF4 on `x`: the same fields as `quantizationError` in quant.ts. */
export function nf4Error(x: Float32Array, opts: NF4Options = {}): { bitsPerWeight: number; maxAbs: number; rmse: number; relRmse: number; snrDb: number } {
  const q = quantizeNF4(x, opts);
  const back = dequantizeNF4(q);
  let maxAbs = 0, se = 0, sx = 0;
  for (let i = 0; i < x.length; i++) {
    const e = back[i] - x[i];
    maxAbs = Math.max(maxAbs, Math.abs(e));
    se += e * e;
    sx += x[i] * x[i];
  }
  return {
    bitsPerWeight: q.bits, maxAbs, rmse: Math.sqrt(se / x.length), relRmse: Math.sqrt(se / Math.max(sx, 1e-30)),
    snrDb: se === 0 ? Infinity : 10 * Math.log10(sx / se),
  };
}

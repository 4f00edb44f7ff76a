/**
 * Block quantization exactly as ggml defines it (ggml-quants.c, the `_ref` reference paths), plus
 * IEEE half-precision conversion. Used by the GGUF exporter and by the quantization lesson.
 *
 *   Q8_0: blocks of 32 values → { d: f16, qs: int8[32] }           = 34 bytes (8.5 bits/weight)
 *         d = max|x| / 127,  q = roundf(x / d),        x ≈ q · d
 *   Q4_0: blocks of 32 values → { d: f16, qs: uint8[16] (nibbles) } = 18 bytes (4.5 bits/weight)
 *         d = m / -8 where m is the value of largest magnitude (sign kept),
 *         q = min(15, trunc(x / d + 8.5)),            x ≈ (q − 8) · d
 *         byte j holds element j in its low nibble and element j + 16 in its high nibble.
 *
 * All arithmetic is rounded to float32 (Math.fround) where ggml computes in `float`, so the bytes
 * match ggml's reference quantizer bit for bit.
 */

/** Values per block for Q8_0 and Q4_0. */
export const QK = 32;
/** Bytes per Q8_0 block (f16 scale + 32 int8). */
export const Q8_0_BLOCK_BYTES = 34;
/** Bytes per Q4_0 block (f16 scale + 16 bytes of nibbles). */
export const Q4_0_BLOCK_BYTES = 18;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE binary16 bits, round to nearest even (what F16C and ggml's fallback do). */
export function f32ToF16(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0); // Inf / NaN (quiet)
  const e = exp - 127 + 15; // re-biased exponent
  if (e >= 0x1f) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit-1 mantissa right, then round to nearest even.
    if (e < -10) return sign; // too small: rounds to ±0
    mant |= 0x800000;
    const shift = 14 - e; // 14..24
    const half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    const rounded = rem > halfway || (rem === halfway && (half & 1)) ? half + 1 : half;
    return sign | rounded; // a carry into bit 10 correctly produces the smallest normal
  }
  const half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // Rounding up may carry into the exponent (and up to Inf), which is the correct result.
  const rounded = rem > 0x1000 || (rem === 0x1000 && (half & 1)) ? half + 1 : half;
  return sign | rounded;
}

/** IEEE binary16 bits → number (exact). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** C's roundf: half-way cases away from zero (Math.round rounds them towards +∞). */
function roundf(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function checkBlocks(n: number): number {
  if (n % QK !== 0) throw new RangeError(`quantization needs a multiple of ${QK} values, got ${n}`);
  return n / QK;
}

/** Quantizes `x` (length a multiple of 32) to Q8_0 blocks, byte-identical to ggml's reference. */
export function quantizeQ8_0(x: Float32Array): Uint8Array {
  const nb = checkBlocks(x.length);
  const out = new Uint8Array(nb * Q8_0_BLOCK_BYTES);
  const view = new DataView(out.buffer);
  for (let b = 0; b < nb; b++) {
    const base = b * QK;
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[base + j]));
    const d = Math.fround(amax / 127);
    const id = d ? Math.fround(1 / d) : 0;
    const o = b * Q8_0_BLOCK_BYTES;
    view.setUint16(o, f32ToF16(d), true);
    for (let j = 0; j < QK; j++) {
      // |x·id| ≤ 127 up to float rounding, so the int8 cast never overflows.
      view.setInt8(o + 2 + j, roundf(Math.fround(x[base + j] * id)));
    }
  }
  return out;
}

/** Dequantizes Q8_0 blocks to `n` floats (x = q · d). */
export function dequantizeQ8_0(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBlocks(n);
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < nb; b++) {
    const o = b * Q8_0_BLOCK_BYTES;
    const d = f16ToF32(view.getUint16(o, true));
    for (let j = 0; j < QK; j++) out[b * QK + j] = view.getInt8(o + 2 + j) * d;
  }
  return out;
}

/** Quantizes `x` (length a multiple of 32) to Q4_0 blocks, byte-identical to ggml's reference. */
export function quantizeQ4_0(x: Float32Array): Uint8Array {
  const nb = checkBlocks(x.length);
  const out = new Uint8Array(nb * Q4_0_BLOCK_BYTES);
  const view = new DataView(out.buffer);
  for (let b = 0; b < nb; b++) {
    const base = b * QK;
    // The value of largest magnitude, sign kept: it maps to −8 exactly, using the full range.
    let amax = 0;
    let max = 0;
    for (let j = 0; j < QK; j++) {
      const v = x[base + j];
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = Math.fround(max / -8);
    const id = d ? Math.fround(1 / d) : 0;
    const o = b * Q4_0_BLOCK_BYTES;
    view.setUint16(o, f32ToF16(d), true);
    for (let j = 0; j < QK / 2; j++) {
      const x0 = Math.fround(x[base + j] * id);
      const x1 = Math.fround(x[base + QK / 2 + j] * id);
      // (int8_t)(x + 8.5f): truncation towards zero; the argument is ≥ 0.5 here.
      const q0 = Math.min(15, Math.trunc(Math.fround(x0 + 8.5)));
      const q1 = Math.min(15, Math.trunc(Math.fround(x1 + 8.5)));
      out[o + 2 + j] = q0 | (q1 << 4);
    }
  }
  return out;
}

/** Dequantizes Q4_0 blocks to `n` floats (x = (q − 8) · d). */
export function dequantizeQ4_0(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBlocks(n);
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < nb; b++) {
    const o = b * Q4_0_BLOCK_BYTES;
    const d = f16ToF32(view.getUint16(o, true));
    for (let j = 0; j < QK / 2; j++) {
      const byte = bytes[o + 2 + j];
      out[b * QK + j] = ((byte & 0x0f) - 8) * d;
      out[b * QK + j + QK / 2] = ((byte >>> 4) - 8) * d;
    }
  }
  return out;
}

/** Float32 → packed little-endian binary16 (2 bytes per value). */
export function quantizeF16(x: Float32Array): Uint8Array {
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f32ToF16(x[i]);
  return new Uint8Array(out.buffer);
}

/** Packed little-endian binary16 → Float32Array of `n` values. */
export function dequantizeF16(bytes: Uint8Array, n: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f16ToF32(view.getUint16(2 * i, true));
  return out;
}

/** Storage types the exporter writes. */
export type QuantType = 'f32' | 'f16' | 'q8_0' | 'q4_0';

/** Encodes floats in `type` (F32 as little-endian float32). */
export function quantize(type: QuantType, x: Float32Array): Uint8Array {
  switch (type) {
    case 'f32':
      return new Uint8Array(x.slice().buffer); // platforms we run on are little-endian
    case 'f16':
      return quantizeF16(x);
    case 'q8_0':
      return quantizeQ8_0(x);
    case 'q4_0':
      return quantizeQ4_0(x);
  }
}

/** Decodes `n` values stored in `type`. */
export function dequantize(type: QuantType, bytes: Uint8Array, n: number): Float32Array {
  switch (type) {
    case 'f32':
      return new Float32Array(bytes.slice(0, 4 * n).buffer);
    case 'f16':
      return dequantizeF16(bytes, n);
    case 'q8_0':
      return dequantizeQ8_0(bytes, n);
    case 'q4_0':
      return dequantizeQ4_0(bytes, n);
  }
}

/** Bytes needed to store `n` values in `type`. */
export function quantizedSize(type: QuantType, n: number): number {
  switch (type) {
    case 'f32':
      return 4 * n;
    case 'f16':
      return 2 * n;
    case 'q8_0':
      return (n / QK) * Q8_0_BLOCK_BYTES;
    case 'q4_0':
      return (n / QK) * Q4_0_BLOCK_BYTES;
  }
}

/** Round-trips `x` through `type` (fake quantization): what a model sees after export. */
export function fakeQuantize(type: QuantType, x: Float32Array): Float32Array {
  return type === 'f32' ? x.slice() : dequantize(type, quantize(type, x), x.length);
}

/** Storage cost per weight: Q8_0 = (2 + 32) bytes / 32 values, Q4_0 = (2 + 16) / 32. */
export const BITS_PER_WEIGHT: Record<QuantType, number> = { f32: 32, f16: 16, q8_0: 8.5, q4_0: 4.5 };

/** How much a round trip through `type` changes `x` (for the quantization lesson). */
export interface QuantError {
  type: QuantType;
  bitsPerWeight: number;
  maxAbs: number; // largest |x̂ − x|
  rmse: number; // √mean (x̂ − x)²
  snrDb: number; // 10·log10(Σx² / Σ(x̂ − x)²); Infinity when exact
}

/** Measures the error a round trip through `type` introduces on `x`. */
export function quantizationError(type: QuantType, x: Float32Array): QuantError {
  const back = fakeQuantize(type, x);
  let maxAbs = 0, se = 0, sx = 0;
  for (let i = 0; i < x.length; i++) {
    const e = back[i] - x[i];
    maxAbs = Math.max(maxAbs, Math.abs(e));
    se += e * e;
    sx += x[i] * x[i];
  }
  return {
    type,
    bitsPerWeight: BITS_PER_WEIGHT[type],
    maxAbs,
    rmse: Math.sqrt(se / Math.max(1, x.length)),
    snrDb: se === 0 ? Infinity : 10 * Math.log10(sx / se),
  };
}

// ---------------------------------------------------------------------------------------------
// What llama.cpp computes with quantized weights: it also quantizes the *activations* (to Q8_0
// blocks for Q8_0 and Q4_0 weights) and takes integer dot products per block. This is why a
// quantized GGUF in llama.cpp does not give exactly the outputs of the dequantized weights.

/** Blocks unpacked to integer codes and per-block scales: x ≈ q[i] · d[⌊i/32⌋] (Q4_0 codes are q − 8). */
export interface QuantBlocks {
  q: Int8Array;
  d: Float32Array;
}

/** Unpacks Q8_0 or Q4_0 bytes holding `n` values into codes and scales. */
export function unpackBlocks(type: 'q8_0' | 'q4_0', bytes: Uint8Array, n: number): QuantBlocks {
  const nb = checkBlocks(n);
  const q = new Int8Array(n);
  const d = new Float32Array(nb);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = type === 'q8_0' ? Q8_0_BLOCK_BYTES : Q4_0_BLOCK_BYTES;
  for (let b = 0; b < nb; b++) {
    const o = b * size;
    d[b] = f16ToF32(view.getUint16(o, true));
    for (let j = 0; j < QK / 2 && type === 'q4_0'; j++) {
      q[b * QK + j] = (bytes[o + 2 + j] & 0x0f) - 8;
      q[b * QK + j + QK / 2] = (bytes[o + 2 + j] >>> 4) - 8;
    }
    for (let j = 0; j < QK && type === 'q8_0'; j++) q[b * QK + j] = view.getInt8(o + 2 + j);
  }
  return { q, d };
}

/**
 * Quantizes an activation vector to Q8_0 blocks the way ggml does before a quantized matmul.
 * `ref` rounds half away from zero like ggml's reference C; llama.cpp as built in @wllama/wllama
 * 3.13 matches it (the agreement test reproduces its greedy output token for token with it).
 * `trunc` truncates towards zero, as the WebAssembly-SIMD path in ggml's source does
 * (`wasm_i32x4_trunc_sat_f32x4`); kept to show how much the rounding rule matters.
 */
export function quantizeActivationQ8_0(x: Float32Array, mode: 'ref' | 'trunc' = 'ref'): QuantBlocks {
  const nb = checkBlocks(x.length);
  const q = new Int8Array(x.length);
  const d = new Float32Array(nb);
  for (let b = 0; b < nb; b++) {
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[b * QK + j]));
    const db = Math.fround(amax / 127);
    const id = db ? Math.fround(1 / db) : 0;
    d[b] = f16ToF32(f32ToF16(db)); // stored as f16
    for (let j = 0; j < QK; j++) {
      const v = Math.fround(x[b * QK + j] * id);
      q[b * QK + j] = mode === 'ref' ? roundf(v) : Math.trunc(v);
    }
  }
  return { q, d };
}

/**
 * y = W·x with W [N, K] and x [K] both in blocks of 32: for each row, Σ_blocks (Σ_j wq·xq) · (dw·dx),
 * the integer dot product ggml's quantized kernels use (scale product rounded to float32).
 */
export function quantizedMatVec(w: QuantBlocks, x: QuantBlocks, N: number, K: number, y: Float32Array): void {
  const nb = K / QK;
  for (let n = 0; n < N; n++) {
    let acc = 0;
    for (let b = 0; b < nb; b++) {
      const wo = n * K + b * QK, xo = b * QK;
      let isum = 0;
      for (let j = 0; j < QK; j++) isum += w.q[wo + j] * x.q[xo + j];
      acc += isum * Math.fround(w.d[n * nb + b] * x.d[b]);
    }
    y[n] = acc;
  }
}

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  dequantizeQ4_0,
  dequantizeQ8_0,
  f16ToF32,
  f32ToF16,
  fakeQuantize,
  quantizeQ4_0,
  quantizationError,
  quantizeActivationQ8_0,
  quantizedMatVec,
  unpackBlocks,
  quantizeQ8_0,
  Q4_0_BLOCK_BYTES,
  Q8_0_BLOCK_BYTES,
} from '../../../src/lib/tinylm/quant';

/** Made by test/fixtures/gguf/make_quant_golden.py with ggml's own `gguf` Python package. */
const golden = JSON.parse(readFileSync(new URL('../../fixtures/gguf/quant-golden.json', import.meta.url), 'utf8')) as {
  input: number[];
  q8_0: string;
  q4_0: string;
  q8_0_dequant: number[];
  q4_0_dequant: number[];
  f16_probe: number[];
  f16_bits: number[];
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('f16 conversion', () => {
  it('matches numpy float16 rounding (nearest even, subnormals, overflow)', () => {
    const bits = golden.f16_probe.map((v) => f32ToF16(v));
    expect(bits).toEqual(golden.f16_bits);
  });
  it('round-trips every finite half exactly', () => {
    const bad: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue; // Inf/NaN
      if (f32ToF16(f16ToF32(h)) !== h) bad.push(h);
    }
    expect(bad).toEqual([]);
  });
});

describe('Q8_0', () => {
  const x = new Float32Array(golden.input);
  it('is byte-identical to ggml (gguf.quants) on weights, zeros, ties, subnormal and large scales', () => {
    expect(hex(quantizeQ8_0(x))).toBe(golden.q8_0);
    expect(Array.from(dequantizeQ8_0(quantizeQ8_0(x), x.length))).toEqual(golden.q8_0_dequant);
  });
  it('has 34-byte blocks and error ≤ d/2 per value (d = max|x|/127, plus f16 rounding of d)', () => {
    const rnd = seeded(7);
    const v = new Float32Array(32 * 64).map(() => (rnd() - 0.5) * 2 * (1 + 10 * rnd()));
    const q = quantizeQ8_0(v);
    expect(q.length).toBe(64 * Q8_0_BLOCK_BYTES);
    const back = dequantizeQ8_0(q, v.length);
    for (let b = 0; b < 64; b++) {
      const blk = v.subarray(b * 32, b * 32 + 32);
      const amax = Math.max(...Array.from(blk, Math.abs));
      const d = amax / 127;
      for (let j = 0; j < 32; j++) {
        // d is stored as f16 (relative error ≤ 2^-11) and multiplied by |q| ≤ 127.
        expect(Math.abs(back[b * 32 + j] - blk[j])).toBeLessThanOrEqual(d / 2 + amax * 2 ** -11 + 1e-12);
      }
    }
  });
  it('rejects lengths that are not whole blocks', () => {
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(RangeError);
  });
});

describe('Q4_0', () => {
  const x = new Float32Array(golden.input);
  it('is byte-identical to ggml (gguf.quants)', () => {
    expect(hex(quantizeQ4_0(x))).toBe(golden.q4_0);
    expect(Array.from(dequantizeQ4_0(quantizeQ4_0(x), x.length))).toEqual(golden.q4_0_dequant);
  });
  it('packs element j in the low nibble and j+16 in the high nibble', () => {
    const v = new Float32Array(32);
    v[0] = -8; // sets d = 1 (max magnitude is negative: d = max / -8)
    v[1] = 7; // q = 15
    v[16] = -3; // q = 5, high nibble of byte 0
    const q = quantizeQ4_0(v);
    expect(q.length).toBe(Q4_0_BLOCK_BYTES);
    expect(f16ToF32(q[0] | (q[1] << 8))).toBe(1);
    expect(q[2]).toBe(0 | (5 << 4)); // x0 = -8 → 0; x16 = -3 → 5
    expect(q[3]).toBe(15 | (8 << 4)); // x1 = 7 → 15; x17 = 0 → 8
  });
  it('has error ≤ |d| per value (d = max/-8; the positive end clips at 7·|d|)', () => {
    const rnd = seeded(11);
    const v = new Float32Array(32 * 64).map(() => (rnd() - 0.5) * 2);
    const back = fakeQuantize('q4_0', v);
    for (let b = 0; b < 64; b++) {
      const blk = v.subarray(b * 32, b * 32 + 32);
      const amax = Math.max(...Array.from(blk, Math.abs));
      for (let j = 0; j < 32; j++) {
        expect(Math.abs(back[b * 32 + j] - blk[j])).toBeLessThanOrEqual(amax / 8 + amax * 2 ** -10 + 1e-12);
      }
    }
    // Mean error is much smaller than the bound: about |d|/4 for uniform values.
    let err = 0;
    for (let i = 0; i < v.length; i++) err += Math.abs(back[i] - v[i]);
    expect(err / v.length).toBeLessThan(0.05);
  });
});

describe('quantizationError', () => {
  it('orders the formats: more bits, less error (≈6 dB per bit for the block formats)', () => {
    const rnd = seeded(3);
    // Gaussian-ish weights (sum of uniforms), like a trained layer.
    const x = new Float32Array(32 * 256).map(() => (rnd() + rnd() + rnd() - 1.5) * 0.05);
    const [f32, f16, q8, q4] = (['f32', 'f16', 'q8_0', 'q4_0'] as const).map((t) => quantizationError(t, x));
    expect(f32).toMatchObject({ maxAbs: 0, rmse: 0, snrDb: Infinity, bitsPerWeight: 32 });
    expect(f16.snrDb).toBeGreaterThan(q8.snrDb);
    expect(q8.snrDb).toBeGreaterThan(q4.snrDb);
    expect(q8.snrDb - q4.snrDb).toBeGreaterThan(20); // 4 fewer bits ≈ 24 dB
    expect(q8.snrDb - q4.snrDb).toBeLessThan(28);
    expect(q4.bitsPerWeight).toBe(4.5);
  });
});

describe('ggml-style quantized matmul', () => {
  it('unpacks blocks to the values dequantize gives', () => {
    const x = new Float32Array(golden.input);
    for (const type of ['q8_0', 'q4_0'] as const) {
      const bytes = type === 'q8_0' ? quantizeQ8_0(x) : quantizeQ4_0(x);
      const { q, d } = unpackBlocks(type, bytes, x.length);
      const deq = type === 'q8_0' ? dequantizeQ8_0(bytes, x.length) : dequantizeQ4_0(bytes, x.length);
      expect(Array.from(q, (v, i) => v * d[Math.floor(i / 32)])).toEqual(Array.from(deq));
    }
  });
  it("quantizes activations like ggml: 'ref' equals the reference quantizer, 'trunc' truncates", () => {
    const x = new Float32Array(golden.input);
    const ref = quantizeActivationQ8_0(x, 'ref');
    expect(Array.from(ref.q)).toEqual(Array.from(unpackBlocks('q8_0', quantizeQ8_0(x), x.length).q));
    const v = new Float32Array(32);
    v[0] = 127; // d = 1
    v[1] = 2.7;
    v[2] = -2.7;
    const trunc = quantizeActivationQ8_0(v, 'trunc');
    expect([trunc.q[1], trunc.q[2]]).toEqual([2, -2]);
    expect([quantizeActivationQ8_0(v, 'ref').q[1], quantizeActivationQ8_0(v, 'ref').q[2]]).toEqual([3, -3]);
  });
  it('computes Σ_blocks (Σ wq·xq)·dw·dx, close to the float product of the dequantized values', () => {
    const rnd = seeded(5);
    const N = 4, K = 64;
    const W = new Float32Array(N * K).map(() => rnd() - 0.5);
    const xv = new Float32Array(K).map(() => rnd() - 0.5);
    const w = unpackBlocks('q4_0', quantizeQ4_0(W), W.length);
    const x = quantizeActivationQ8_0(xv, 'ref');
    const y = new Float32Array(N);
    quantizedMatVec(w, x, N, K, y);
    for (let n = 0; n < N; n++) {
      let ref = 0;
      for (let k = 0; k < K; k++) ref += w.q[n * K + k] * w.d[n * 2 + (k >> 5)] * x.q[k] * x.d[k >> 5];
      expect(y[n]).toBeCloseTo(ref, 5);
    }
  });
});

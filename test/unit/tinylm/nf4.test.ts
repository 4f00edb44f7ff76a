/** NF4 against bitsandbytes' layout, reproduced in PyTorch (test/fixtures/finetune/make_golden.py). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NF4_CODE, dequantizeNF4, dynamicMap8, nf4BitsPerParam, nf4Error, quantizeNF4 } from '../../../src/lib/tinylm/nf4';
import { quantizationError } from '../../../src/lib/tinylm/quant';
import { RNG } from '../../../src/lib/tinylm/rng';

const golden = JSON.parse(readFileSync('test/fixtures/finetune/golden.json', 'utf8')).nf4;
const w = Float32Array.from(golden.w as number[]);

describe('NF4', () => {
  it('has bitsandbytes’ 16-value code book exactly (float32), with an exact zero', () => {
    expect(Array.from(NF4_CODE)).toEqual(golden.code);
    expect(NF4_CODE.length).toBe(16);
    expect(NF4_CODE[7]).toBe(0);
    expect(NF4_CODE.filter((c) => c > 0).length).toBe(8);
  });

  it('builds the signed 8-bit dynamic map as create_dynamic_map() does', () => {
    const map = dynamicMap8();
    expect(map.length).toBe(256);
    // torch builds it with float32 linspace; ours rounds once from float64: within one float32 ulp.
    map.forEach((v, i) => expect(Math.abs(v - golden.dynamicMap[i])).toBeLessThanOrEqual(Math.abs(golden.dynamicMap[i]) * 1.2e-7));
    expect(map[0]).toBeGreaterThan(-1); // signed map: +1 is a code, −1 is not
    expect(map[255]).toBe(1);
    expect(map.filter((v) => v === 0).length).toBe(1);
  });

  it('quantizes to the same packed nibbles and absmax as the reference, and dequantizes to its values', () => {
    const q = quantizeNF4(w);
    expect(Array.from(q.codes)).toEqual(golden.packed);
    expect(Array.from(q.absmax!)).toEqual(golden.absmax);
    const back = dequantizeNF4(q);
    expect(Array.from(back)).toEqual(golden.dequant);
    expect(back[17]).toBe(0); // an exact zero survives
  });

  it('double quantization: offset, 8-bit codes and second-level absmax match; values match', () => {
    const q = quantizeNF4(w, { doubleQuant: true });
    expect(q.absmax).toBeNull();
    expect(q.doubleQuant!.offset).toBe(Math.fround(golden.offset));
    expect(Array.from(q.doubleQuant!.codes)).toEqual(golden.dqCodes);
    expect(Array.from(q.doubleQuant!.absmax)).toEqual(golden.dqAbsmax);
    const back = dequantizeNF4(q);
    let worst = 0;
    back.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - golden.dequantDQ[i]))));
    expect(worst).toBeLessThan(1e-9);
  });

  it('costs 4.5 bits per parameter, ≈4.127 with double quantization', () => {
    const n = 64 * 256 * 64;
    expect(nf4BitsPerParam(n, false)).toBe(4.5);
    const dq = nf4BitsPerParam(n, true);
    expect(dq).toBeCloseTo(4 + 8 / 64 + 32 / (64 * 256), 4);
    expect(dq).toBeCloseTo(4.127, 3);
    expect(quantizeNF4(new Float32Array(n).fill(0.5), { doubleQuant: true }).bits).toBe(dq);
  });

  it('round trip: every value lands on the nearest code of its block, error below half the widest code gap', () => {
    const rng = new RNG(3);
    const x = Float32Array.from({ length: 4096 + 30 }, () => rng.normal() * 0.02); // a partial last block
    const q = quantizeNF4(x);
    const back = dequantizeNF4(q);
    let gap = 0;
    for (let c = 1; c < 16; c++) gap = Math.max(gap, NF4_CODE[c] - NF4_CODE[c - 1]);
    for (let b = 0; b * 64 < x.length; b++) {
      const m = q.absmax![b];
      for (let i = b * 64; i < Math.min(x.length, b * 64 + 64); i++) {
        expect(Math.abs(back[i] - x[i])).toBeLessThanOrEqual((gap / 2) * m * (1 + 1e-6));
        // nearest: no other code is strictly closer
        const best = Math.min(...Array.from(NF4_CODE, (c) => Math.abs(c * m - x[i])));
        expect(Math.abs(back[i] - x[i])).toBeLessThanOrEqual(best + 1e-6 * m);
      }
    }
  });

  it('on normal weights beats symmetric-range Q4_0-sized storage at block 64 and is far worse than Q8_0', () => {
    const rng = new RNG(5);
    const x = Float32Array.from({ length: 64 * 512 }, () => rng.normal() * 0.02);
    const nf4 = nf4Error(x);
    const q4 = quantizationError('q4_0', x);
    const q8 = quantizationError('q8_0', x);
    expect(nf4.rmse).toBeGreaterThan(q8.rmse * 5);
    // Q4_0 uses blocks of 32 (more scales, 4.5 bits too): NF4 at 64 stays within 10 % of it.
    expect(nf4.rmse).toBeLessThan(q4.rmse * 1.1);
  });

  it('rejects empty input and odd block sizes', () => {
    expect(() => quantizeNF4(new Float32Array(0))).toThrow(RangeError);
    expect(() => quantizeNF4(new Float32Array(8), { blockSize: 7 })).toThrow(RangeError);
  });
});

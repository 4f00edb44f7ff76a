/** The WebAssembly SIMD matmul kernel (simd.ts) against the JS reference kernels, and its fallback. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { matmulABt, matmulRef, matvec, matvec8 } from '../../../src/lib/tinylm/kernels';
import { SimdMatrices, matmulModule, simdAvailable } from '../../../src/lib/tinylm/simd';
import { TinyLMSession } from '../../../src/lib/tinylm/session';
import type { TinyLMConfig } from '../../../src/lib/tinylm/contract';
import { TinyLM, initWeights } from '../../../src/lib/tinylm/model';
import { RNG } from '../../../src/lib/tinylm/rng';

function random(n: number, rng: RNG, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
}

/**
 * Worst |y − ref| / Σ_k |W[j,k]·x[t,k]| over all outputs: the error relative to the size of the
 * terms summed (the natural scale of a float sum; the result itself can cancel to ~0).
 */
function worstRelative(y: Float32Array, ref: Float32Array, x: Float32Array, W: Float32Array, T: number, N: number, K: number): number {
  let worst = 0;
  for (let t = 0; t < T; t++)
    for (let j = 0; j < N; j++) {
      let scale = 0;
      for (let k = 0; k < K; k++) scale += Math.abs(W[j * K + k] * x[t * K + k]);
      worst = Math.max(worst, Math.abs(y[t * N + j] - ref[t * N + j]) / Math.max(scale, 1e-30));
    }
  return worst;
}

describe('SIMD matmul kernel', () => {
  it('is available in Node', () => {
    expect(simdAvailable()).toBe(true);
  });

  it('matrix–vector (T = 1) equals the JS reference within 1e-5 relative, on odd sizes', () => {
    const rng = new RNG(1);
    for (const [N, K] of [[1, 1], [3, 5], [7, 3], [9, 13], [17, 31], [63, 97], [101, 257], [250, 771]]) {
      const W = random(N * K, rng), x = random(K, rng);
      const simd = SimdMatrices.create([{ data: W, rows: N, cols: K }])!;
      simd.upload();
      const y = new Float32Array(N).fill(NaN);
      simd.matmul(0, x, y, 1);
      const ref = new Float32Array(N), ref8 = new Float32Array(N), exact = new Float32Array(N);
      matvec(W, x, ref, N, K);
      matvec8(W, x, ref8, N, K);
      matmulRef(x, transpose(W, N, K), exact, 1, N, K);
      expect(worstRelative(y, ref, x, W, 1, N, K)).toBeLessThan(1e-5);
      expect(worstRelative(y, ref8, x, W, 1, N, K)).toBeLessThan(1e-5);
      expect(worstRelative(y, exact, x, W, 1, N, K)).toBeLessThan(1e-5);
    }
  });

  it('block product (T > 1) equals matmulABt within 1e-5 relative; several matrices share one memory', () => {
    const rng = new RNG(2);
    const shapes: Array<[number, number]> = [[13, 7], [5, 33], [66, 18], [9, 9]];
    const Ws = shapes.map(([N, K]) => random(N * K, rng));
    const simd = SimdMatrices.create(shapes.map(([rows, cols], i) => ({ data: Ws[i], rows, cols })))!;
    simd.upload();
    // T grows past the scratch size (memory grows) and shrinks again
    for (const T of [1, 3, 40, 2, 1]) {
      shapes.forEach(([N, K], i) => {
        const x = random(T * K, rng);
        const y = new Float32Array(T * N).fill(NaN), ref = new Float32Array(T * N);
        simd.matmul(i, x, y, T);
        matmulABt(x, Ws[i], ref, T, N, K);
        expect(worstRelative(y, ref, x, Ws[i], T, N, K)).toBeLessThan(1e-5);
      });
    }
  });

  it('padded columns stay harmless when a wider x left Infinity in the scratch region', () => {
    const rng = new RNG(3);
    const wide = random(4 * 8, rng), narrow = random(5 * 3, rng);
    const simd = SimdMatrices.create([{ data: wide, rows: 4, cols: 8 }, { data: narrow, rows: 5, cols: 3 }])!;
    simd.upload();
    simd.matmul(0, new Float32Array(8).fill(Infinity), new Float32Array(4), 1);
    const x = random(3, rng), y = new Float32Array(5), ref = new Float32Array(5);
    simd.matmul(1, x, y, 1);
    matvec(narrow, x, ref, 5, 3);
    for (let j = 0; j < 5; j++) expect(y[j]).toBeCloseTo(ref[j], 5);
  });

  it('upload() picks up changed weights', () => {
    const W = new Float32Array([1, 2, 3, 4, 5, 6]); // [2, 3]
    const simd = SimdMatrices.create([{ data: W, rows: 2, cols: 3 }])!;
    simd.upload();
    const y = new Float32Array(2);
    simd.matmul(0, new Float32Array([1, 1, 1]), y, 1);
    expect([...y]).toEqual([6, 15]);
    W[0] = 11;
    simd.upload();
    simd.matmul(0, new Float32Array([1, 1, 1]), y, 1);
    expect([...y]).toEqual([16, 15]);
  });

  it('rejects a matrix whose data does not match its shape', () => {
    expect(() => SimdMatrices.create([{ data: new Float32Array(5), rows: 2, cols: 3 }])).toThrow(/5 floats is not \[2, 3\]/);
  });
});

const config: TinyLMConfig = {
  vocabSize: 45, dim: 18, nLayers: 2, nHeads: 3, nKvHeads: 1, ffnDim: 27, // no size a multiple of 4 or 8 but hd
  maxSeqLen: 32, ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: false,
};

function model(seed = 7): TinyLM {
  const w = initWeights(config, seed);
  const rng = new RNG(seed + 1);
  for (const t of w.values()) if (t.shape.length === 2) for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal() * 0.3;
  return new TinyLM(config, w);
}

function decode(s: { append(ids: number[]): Float32Array }, ids: number[]): Float32Array[] {
  return [s.append(ids.slice(0, 4)), ...ids.slice(4).map((id) => s.append([id]))];
}

describe('TinyLM session kernels', () => {
  afterEach(() => vi.unstubAllGlobals());
  const ids = [3, 17, 5, 44, 0, 12, 8, 8, 21];

  it('uses SIMD by default here, and agrees with the JS kernels (1e-5)', () => {
    const m = model();
    const simd = new TinyLMSession(m), js = new TinyLMSession(m, { simd: false });
    expect(simd.kernel).toBe('simd');
    expect(js.kernel).toBe('js');
    const a = decode(simd, ids), b = decode(js, ids);
    let worst = 0;
    a.forEach((l, t) => l.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[t][i])))));
    expect(worst).toBeLessThan(1e-5);
  });

  it('falls back to the JS kernels when WebAssembly SIMD is unavailable', () => {
    const noSimd = { validate: () => false, Module: WebAssembly.Module }; // an engine that rejects the SIMD opcodes
    expect(matmulModule(noSimd)).toBeNull();
    expect(SimdMatrices.create([{ data: new Float32Array(1), rows: 1, cols: 1 }], noSimd)).toBeNull();

    const m = model();
    const reference = decode(new TinyLMSession(m, { simd: false }), ids);
    for (const wasm of [noSimd, undefined]) {
      vi.stubGlobal('WebAssembly', wasm);
      const s = new TinyLMSession(model()); // fresh model: no SIMD store cached yet
      expect(s.kernel).toBe('js');
      expect(decode(s, ids)).toEqual(reference); // the JS path, bit for bit
      vi.unstubAllGlobals();
    }
  });

  it('a new session sees weights changed since the previous one (training between sessions)', () => {
    const m = model();
    const before = new TinyLMSession(m).append(ids);
    for (const t of m.weights.values()) for (let i = 0; i < t.data.length; i++) t.data[i] *= 0.9;
    const after = new TinyLMSession(m).append(ids);
    const js = new TinyLMSession(m, { simd: false }).append(ids);
    expect(after).not.toEqual(before);
    after.forEach((v, i) => expect(Math.abs(v - js[i])).toBeLessThan(1e-5));
  });
});

function transpose(W: Float32Array, N: number, K: number): Float32Array {
  const t = new Float32Array(N * K);
  for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) t[k * N + j] = W[j * K + k];
  return t;
}

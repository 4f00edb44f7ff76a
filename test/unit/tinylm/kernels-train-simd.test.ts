/**
 * The WebAssembly SIMD training kernel (simd-train.ts) gives EXACTLY the bits of the JS kernels
 * (compared as Uint32 views, not within a tolerance), on shapes that reach every path of the JS
 * kernel (N mod 4 ≠ 0: the dot() columns; odd M: the single-row path; K = 1; acc on and off), and
 * a model trained with it is bit-for-bit the model trained with the JS kernels.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  matmulAB, matmulABJS, matmulABt, matmulABtJS, matmulAtB, matmulAtBJS, setTrainKernel, trainKernel,
} from '../../../src/lib/tinylm/kernels';
import { TrainMatmul, resetTrainMatmul, trainMatmul, trainModule, trainModuleBytes, type TrainProduct } from '../../../src/lib/tinylm/simd-train';
import type { TinyLMConfig } from '../../../src/lib/tinylm/contract';
import { TinyLM, initWeights } from '../../../src/lib/tinylm/model';
import { Trainer } from '../../../src/lib/tinylm/train';
import { RNG } from '../../../src/lib/tinylm/rng';

type Kernel = (a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number, acc?: boolean) => void;
const PRODUCTS: Array<{ kind: TrainProduct; routed: Kernel; js: Kernel }> = [
  { kind: 'ABt', routed: matmulABt, js: matmulABtJS },
  { kind: 'AB', routed: matmulAB, js: matmulABJS },
  { kind: 'AtB', routed: matmulAtB, js: matmulAtBJS },
];

/** Random floats with the awkward ones mixed in: ±0, f32 subnormals, large and tiny magnitudes. */
function random(n: number, rng: RNG): Float32Array {
  const special = [0, -0, 1e-41, -3e-39, 1e30, -1e-30, 1, -1];
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    a[i] = u < 0.05 ? special[Math.floor(rng.next() * special.length)] : rng.normal() * (u < 0.5 ? 1 : 1e-3);
  }
  return a;
}

/** Indices where the two arrays' bits differ (first few). */
function bitDiff(x: Float32Array, y: Float32Array): number[] {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length), v = new Uint32Array(y.buffer, y.byteOffset, y.length);
  const out: number[] = [];
  for (let i = 0; i < u.length && out.length < 5; i++) if (u[i] !== v[i]) out.push(i);
  return out;
}

// M: 1–3 rows (single-row path only), odd, multiples of the 4-row panel; N mod 4 = 0…3; K = 1.
const SHAPES: Array<[number, number, number]> = [
  [1, 4, 9], [2, 5, 3], [3, 7, 11], [4, 4, 1], [5, 8, 64], [6, 6, 33], [7, 13, 17], [8, 12, 32],
  [9, 31, 5], [13, 9, 7], [16, 16, 16], [33, 30, 1], [37, 23, 1], [40, 96, 96], [41, 101, 29], [64, 32, 96],
];

describe('SIMD training kernel: bitwise equal to the JS kernels', () => {
  afterEach(() => {
    setTrainKernel('simd');
    resetTrainMatmul();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('compiles here (Node has WebAssembly SIMD) and is the default', () => {
    expect(WebAssembly.validate(trainModuleBytes())).toBe(true);
    expect(trainModule()).not.toBeNull();
    expect(trainKernel()).toBe('simd');
  });

  it('the kernel itself: columns below N − N mod 4 have the JS bits, for every shape, acc on and off', () => {
    const rng = new RNG(11);
    const kernel = trainMatmul()!;
    for (const [M, N, K] of SHAPES)
      for (const { kind, js } of PRODUCTS)
        for (const acc of [false, true]) {
          const a = random(M * K, rng), b = random(K * N, rng), c0 = random(M * N, rng);
          const ref = c0.slice(), got = c0.slice();
          js(a, b, ref, M, N, K, acc);
          kernel.matmul(kind, a, b, got, M, N, K, acc);
          const N4 = N - (N % 4);
          for (let i = 0; i < M; i++) {
            const d = bitDiff(got.subarray(i * N, i * N + N4), ref.subarray(i * N, i * N + N4));
            expect(d, `${kind} M=${M} N=${N} K=${K} acc=${acc} row ${i}`).toEqual([]);
          }
        }
  });

  it('matmulABt / matmulAB / matmulAtB (SIMD plus the dot() tail columns) equal the JS kernels bit for bit', () => {
    const rng = new RNG(12);
    let simdCalls = 0;
    const spy = vi.spyOn(TrainMatmul.prototype, 'matmul');
    for (const [M, N, K] of SHAPES)
      for (const { kind, routed, js } of PRODUCTS)
        for (const acc of [false, true]) {
          const a = random(M * K, rng), b = random(K * N, rng), c0 = random(M * N, rng);
          const ref = c0.slice(), got = c0.slice();
          js(a, b, ref, M, N, K, acc);
          routed(a, b, got, M, N, K, acc);
          expect(bitDiff(got, ref), `${kind} M=${M} N=${N} K=${K} acc=${acc}`).toEqual([]);
        }
    simdCalls = spy.mock.calls.length;
    expect(simdCalls).toBeGreaterThan(SHAPES.length * 3); // most shapes took the SIMD path
  });

  it('a larger random sweep, also after the wasm memory grew for a big product', () => {
    const rng = new RNG(13);
    const big = 300;
    matmulAtB(random(big * big, rng), random(big * big, rng), new Float32Array(big * big), big, big, big, false);
    for (let t = 0; t < 60; t++) {
      const M = 1 + Math.floor(rng.next() * 50), N = 1 + Math.floor(rng.next() * 50), K = 1 + Math.floor(rng.next() * 70);
      for (const { kind, routed, js } of PRODUCTS) {
        const acc = rng.next() < 0.5;
        const a = random(M * K, rng), b = random(K * N, rng), c0 = random(M * N, rng);
        const ref = c0.slice(), got = c0.slice();
        js(a, b, ref, M, N, K, acc);
        routed(a, b, got, M, N, K, acc);
        expect(bitDiff(got, ref), `${kind} M=${M} N=${N} K=${K} acc=${acc}`).toEqual([]);
      }
    }
  });

  it('order-sensitive sums (huge terms that cancel) still match: sequential columns and the dot() tail columns', () => {
    // op(a)[i, k] = ±1e20 at k ≡ 0 (mod 4) with alternating sign, small values elsewhere; op(b) = 1 at
    // those k. Summed left to right the small terms before each −1e20 are lost; dot()'s four partial
    // sums cancel the huge terms exactly and keep them: the two orders give different floats.
    const rng = new RNG(16);
    const opA = (i: number, k: number) => (k % 4 === 0 ? ((k / 4 + i) % 2 ? -1e20 : 1e20) : Math.fround(rng.normal() * 100));
    const opB = (k: number, j: number) => (k % 4 === 0 ? 1 : Math.fround(rng.normal() + j / 10));
    const spy = vi.spyOn(TrainMatmul.prototype, 'matmul');
    for (const [M, N, K] of [[8, 7, 24], [5, 10, 33], [12, 13, 40]] as const)
      for (const { kind, routed, js } of PRODUCTS)
        for (const acc of [false, true]) {
          const a = new Float32Array(M * K), b = new Float32Array(K * N);
          for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) a[kind === 'AtB' ? k * M + i : i * K + k] = opA(i, k);
          for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) b[kind === 'ABt' ? j * K + k : k * N + j] = opB(k, j);
          const c0 = random(M * N, rng), ref = c0.slice(), got = c0.slice();
          js(a, b, ref, M, N, K, acc);
          routed(a, b, got, M, N, K, acc);
          expect(bitDiff(got, ref), `${kind} M=${M} N=${N} K=${K} acc=${acc}`).toEqual([]);
        }
    expect(spy).toHaveBeenCalledTimes(18); // every product took the SIMD path (plus the dot() tail)
  });

  it('Infinity and NaN land where the JS kernels put them (finite results bit for bit)', () => {
    const rng = new RNG(17);
    const [M, N, K] = [12, 15, 17];
    const spy = vi.spyOn(TrainMatmul.prototype, 'matmul');
    for (const { kind, routed, js } of PRODUCTS)
      for (const acc of [false, true]) {
        const a = random(M * K, rng), b = random(K * N, rng), c0 = random(M * N, rng);
        a[3] = NaN; a[40] = Infinity; a[77] = 3e38; a[78] = 3e38; b[5] = -Infinity; b[100] = 3e38; b[101] = -3e38;
        c0[2] = NaN; c0[7] = Infinity; c0[30] = -3.4e38;
        const ref = c0.slice(), got = c0.slice();
        js(a, b, ref, M, N, K, acc);
        routed(a, b, got, M, N, K, acc);
        // NaN payloads are not specified by WebAssembly: compare NaN-ness, and bits elsewhere
        expect(Array.from(got, Number.isNaN), `${kind} acc=${acc}`).toEqual(Array.from(ref, Number.isNaN));
        expect(ref.some(Number.isNaN) && ref.some((v) => !Number.isFinite(v) && !Number.isNaN(v))).toBe(true);
        const noNaN = (x: Float32Array) => x.map((v) => (Number.isNaN(v) ? 0 : v));
        expect(bitDiff(noNaN(got), noNaN(ref)), `${kind} acc=${acc}`).toEqual([]);
      }
    expect(spy).toHaveBeenCalledTimes(6);
  });

  it("setTrainKernel('js') forces the JS kernels; a bad name is refused with a clear message", () => {
    const spy = vi.spyOn(TrainMatmul.prototype, 'matmul');
    setTrainKernel('js');
    expect(trainKernel()).toBe('js');
    const rng = new RNG(14);
    const a = random(16 * 16, rng), b = random(16 * 16, rng), c = new Float32Array(16 * 16);
    matmulABt(a, b, c, 16, 16, 16);
    expect(spy).not.toHaveBeenCalled();
    setTrainKernel('simd');
    matmulABt(a, b, c, 16, 16, 16);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(() => setTrainKernel('wasm' as 'js')).toThrow(/expected 'js' or 'simd', got "wasm"/);
  });

  it('falls back to the JS kernels where WebAssembly SIMD is missing', () => {
    const noSimd = { validate: () => false, Module: WebAssembly.Module }; // an engine that rejects the SIMD opcodes
    expect(trainModule(noSimd)).toBeNull();
    const rng = new RNG(15);
    const [M, N, K] = [9, 14, 21];
    const a = random(M * K, rng), b = random(K * N, rng), c0 = random(M * N, rng);
    const ref = c0.slice();
    matmulAtBJS(a, b, ref, M, N, K, true);
    for (const wasm of [noSimd, undefined]) {
      resetTrainMatmul();
      if (wasm) expect(trainMatmul(wasm)).toBeNull();
      else vi.stubGlobal('WebAssembly', undefined);
      expect(trainKernel()).toBe('js');
      const got = c0.slice();
      matmulAtB(a, b, got, M, N, K, true);
      expect(bitDiff(got, ref)).toEqual([]);
      vi.unstubAllGlobals();
    }
    resetTrainMatmul();
    expect(trainKernel()).toBe('simd'); // decided again from the real WebAssembly
  });
});

describe('training with the SIMD kernel', () => {
  afterEach(() => setTrainKernel('simd'));

  // Sizes with N mod 4 ≠ 0 (vocab 45, ffn 30) so the tail columns are exercised too.
  const config: TinyLMConfig = {
    vocabSize: 45, dim: 24, nLayers: 2, nHeads: 3, nKvHeads: 1, ffnDim: 30,
    maxSeqLen: 16, ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: true,
  };
  const tokens = Int32Array.from({ length: 800 }, (_, i) => (i * 7 + (i >> 2)) % 45);
  const cfg = { steps: 3, batchSize: 3, seqLen: 12, maxLr: 1e-2, minLr: 1e-3, warmup: 1, weightDecay: 0.1, clip: 1, seed: 9 };

  function train(kernel: 'js' | 'simd'): { weights: Float32Array[]; losses: number[] } {
    setTrainKernel(kernel);
    expect(trainKernel()).toBe(kernel);
    const model = new TinyLM(config, initWeights(config, 4));
    const trainer = new Trainer(model, { tokens }, cfg);
    const losses = Array.from({ length: cfg.steps }, () => trainer.trainStep().loss);
    return { weights: model.parameters().map((p) => p.data), losses };
  }

  it('3 Trainer steps give bit-identical weights and losses with the SIMD and the JS kernels', () => {
    const spy = vi.spyOn(TrainMatmul.prototype, 'matmul');
    const simd = train('simd');
    expect(spy.mock.calls.length).toBeGreaterThan(0);
    spy.mockRestore();
    const js = train('js');
    expect(simd.losses).toEqual(js.losses);
    expect(simd.weights.length).toBe(js.weights.length);
    simd.weights.forEach((w, i) => expect(bitDiff(w, js.weights[i]), `parameter ${i}`).toEqual([]));
    // the steps really changed the weights
    const init = new TinyLM(config, initWeights(config, 4)).parameters().map((p) => p.data);
    expect(simd.weights.some((w, i) => bitDiff(w, init[i]).length > 0)).toBe(true);
  });
});

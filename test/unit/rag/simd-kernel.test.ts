import { describe, expect, it } from 'vitest';
import { scoresModuleBytes, scoresReference, SimdScorer, simdAvailable } from '../../../src/lib/rag/simd-kernel';
import { FlatIndex } from '../../../src/lib/rag/vector-index';

function rng(seed: number) {
  return () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** Fills a scorer with data [n, d] (unpadded) and scores `q` [d]. */
function simdScores(data: Float32Array, q: Float32Array, n: number, d: number, capacity = 0): Float32Array {
  const s = new SimdScorer(d, capacity);
  const rows = s.append(n);
  for (let i = 0; i < n; i++) rows.set(data.subarray(i * d, (i + 1) * d), i * s.stride);
  return Float32Array.from(s.scores(q));
}

describe('WebAssembly SIMD scoring kernel', () => {
  it('is a small valid module and SIMD is available in Node 20', () => {
    const bytes = scoresModuleBytes();
    expect(bytes.length).toBeLessThan(4096);
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(simdAvailable()).toBe(true);
  });

  it.each([
    [1000, 384],
    [37, 64], // n not a multiple of 4: block of four + tail
    [13, 7], // d not a multiple of 4: padded to 8
    [3, 1], // only tail rows, d padded 1 → 4
    [1, 5],
  ])('scores %i rows × %i dims like the JS reference (within 1e-5)', (n, d) => {
    const r = rng(n * 1000 + d);
    const data = Float32Array.from({ length: n * d }, r);
    const q = Float32Array.from({ length: d }, r);
    const got = simdScores(data, q, n, d);
    const ref = scoresReference(data, q, n, d);
    expect(got.length).toBe(n);
    let maxErr = 0;
    for (let i = 0; i < n; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - ref[i]) / Math.max(1, Math.abs(ref[i])));
    expect(maxErr).toBeLessThan(1e-5);
    // the kernel really computed something (not all zeros)
    expect(got.some((x) => x !== 0)).toBe(true);
  });

  it('returns no scores for an empty scorer, and padding lanes do not leak into results', () => {
    const s = new SimdScorer(6);
    expect(s.scores(new Float32Array(6)).length).toBe(0);
    // a query longer than dims: the extra values must be ignored, not land in the padding
    s.append(1).set([1, 1, 1, 1, 1, 1]);
    expect(s.scores(Float32Array.from([1, 1, 1, 1, 1, 1, 100, 100]))[0]).toBe(6);
  });

  it('a shorter query is zero-padded (no values left over from the previous query), normalised on request', () => {
    const s = new SimdScorer(6);
    s.append(1).set([1, 2, 3, 4, 5, 6]);
    expect(s.scores(Float32Array.from([1, 1, 1, 1, 1, 1]))[0]).toBe(21);
    expect(s.scores(Float32Array.from([1, 1]))[0]).toBe(3);
    expect(s.scores(Float32Array.from([3, 0, 0, 4, 0, 0]), true)[0]).toBeCloseTo((3 * 1 + 4 * 4) / 5, 6);
  });

  it('keeps earlier rows when memory grows across many appends', () => {
    const d = 384, r = rng(3);
    const s = new SimdScorer(d, 1);
    const data = Float32Array.from({ length: 300 * d }, r);
    for (let i = 0; i < 300; i += 50) {
      const rows = s.append(50);
      for (let k = 0; k < 50; k++) rows.set(data.subarray((i + k) * d, (i + k + 1) * d), k * s.stride);
    }
    const q = Float32Array.from({ length: d }, r);
    const got = s.scores(q), ref = scoresReference(data, q, 300, d);
    let maxErr = 0;
    for (let i = 0; i < 300; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - ref[i]));
    expect(maxErr).toBeLessThan(1e-5);
  });
});

describe('FlatIndex with and without SIMD', () => {
  it.each([
    [500, 384],
    [301, 30], // odd n, d padded
  ])('%i × %i: same hits, same scores within 1e-5', (n, d) => {
    const r = rng(n + d);
    const vecs = Float32Array.from({ length: n * d }, r);
    const ids = Array.from({ length: n }, (_, i) => `c${i}`);
    const simd = new FlatIndex(d, 8); // small capacity: exercises growth
    const js = new FlatIndex(d, 8, { simd: false });
    expect(simd.backend).toBe('simd');
    expect(js.backend).toBe('js');
    for (const idx of [simd, js]) {
      idx.add(ids.slice(0, 100), vecs.subarray(0, 100 * d));
      idx.add(ids.slice(100), vecs.subarray(100 * d));
    }
    expect(simd.vectors.length).toBe(n * d);
    const vs = simd.vectors, vj = js.vectors;
    let differ = 0;
    for (let i = 0; i < n * d; i++) if (vs[i] !== vj[i]) differ++;
    expect(differ).toBe(0); // same normalised rows, unpadded
    for (let t = 0; t < 5; t++) {
      const q = Float32Array.from({ length: d }, r);
      const a = simd.search(q, 10), b = js.search(q, 10);
      expect(a.map((h) => h.id)).toEqual(b.map((h) => h.id));
      a.forEach((h, i) => expect(Math.abs(h.score! - b[i].score!)).toBeLessThan(1e-5));
    }
  });

  it('empty and cleared indexes return no hits', () => {
    for (const simd of [true, false]) {
      const idx = new FlatIndex(12, 4, { simd });
      expect(idx.search(new Float32Array(12).fill(1), 5)).toEqual([]);
      idx.add(['a', 'b'], Float32Array.from({ length: 24 }, (_, i) => i + 1));
      expect(idx.search(new Float32Array(12).fill(1), 5).map((h) => h.id)).toHaveLength(2);
      idx.clear();
      expect(idx.size).toBe(0);
      expect(idx.search(new Float32Array(12).fill(1), 5)).toEqual([]);
      idx.add(['c'], new Float32Array(12).fill(2));
      const [hit] = idx.search(new Float32Array(12).fill(1), 5);
      expect(hit.id).toBe('c');
      expect(hit.score!).toBeCloseTo(1, 5);
    }
  });
});

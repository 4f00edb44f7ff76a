/**
 * Side-by-side timing of the vector indexes on random unit vectors (used by the worker for the
 * lesson's table and by the benchmark). Random vectors are the worst case for a k-d tree: in
 * high dimensions every point is about equally far, so it cannot prune and degenerates to a scan.
 */
import { NaiveIndex, FlatIndex, type VectorIndex } from './vector-index';
import { VoyIndex } from './voy-index';

/** Seeded uniform values in [-1, 1) (LCG), so runs are comparable. */
export function randomVectors(n: number, dims: number, seed = 42): Float32Array {
  const out = new Float32Array(n * dims);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** The p-th percentile (0..100) of some numbers. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** One index's timing run. */
export interface IndexTiming {
  kind: 'flat' | 'voy' | 'naive';
  buildMs: number;
  p50Ms: number;
  p95Ms: number;
  /** how many of the flat index's top-k ids this index also returned (exactness check) */
  agreement: number;
  error?: string;
}

/** Builds each index over the same vectors and times `queries` searches (top-k). */
export async function timeIndexes(
  n: number,
  dims: number,
  queries: number,
  k: number,
  kinds: Array<'flat' | 'voy' | 'naive'>,
  voyWasm: () => Promise<BufferSource>,
  onStage?: (stage: string) => Promise<void> | void,
  checkCancel?: () => void,
): Promise<IndexTiming[]> {
  const vectors = randomVectors(n, dims, 1);
  const qs = randomVectors(queries, dims, 2);
  const ids = Array.from({ length: n }, (_, i) => String(i));
  const out: IndexTiming[] = [];
  let reference: string[][] | null = null;
  for (const kind of kinds) {
    await onStage?.(`building ${kind} index (${n} × ${dims})`);
    checkCancel?.();
    let index: VectorIndex;
    const t0 = performance.now();
    try {
      if (kind === 'flat') index = new FlatIndex(dims, n);
      else if (kind === 'naive') index = new NaiveIndex(dims);
      else index = await VoyIndex.create(dims, voyWasm);
      index.add(ids, vectors);
    } catch (e) {
      out.push({ kind, buildMs: 0, p50Ms: 0, p95Ms: 0, agreement: 0, error: (e as Error).message });
      continue;
    }
    const buildMs = performance.now() - t0;
    await onStage?.(`searching ${kind}`);
    const times: number[] = [];
    const results: string[][] = [];
    for (let q = 0; q < queries; q++) {
      checkCancel?.();
      const query = qs.subarray(q * dims, (q + 1) * dims);
      const t = performance.now();
      const hits = index.search(query, k);
      times.push(performance.now() - t);
      results.push(hits.map((h) => h.id));
    }
    if (kind === 'flat') reference = results;
    let agree = 0;
    if (reference) results.forEach((r, q) => (agree += r.filter((id) => reference![q].includes(id)).length));
    out.push({ kind, buildMs, p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), agreement: reference ? agree / (queries * k) : NaN });
    if (index instanceof VoyIndex) index.free();
  }
  return out;
}

/**
 * Duplicate removal for SFT rows, after CS336 assignment 4:
 *  - exact: a hash of the normalised text; the first row of each hash is kept;
 *  - near: MinHash signatures over word n-gram shingles + locality-sensitive hashing. k hash
 *    functions are split into b bands of r = k/b rows; two rows become *candidates* when all r
 *    values of some band agree, which happens with probability 1 − (1 − s^r)^b for Jaccard
 *    similarity s (an S-curve with its threshold near (1/b)^(1/r)). Candidates are then checked
 *    with their exact Jaccard similarity and clustered; one row per cluster is kept.
 * Normalisation: lower-case, NFD with accents removed, punctuation removed, whitespace collapsed.
 */

/** Normalises text for duplicate detection. */
export function normalizeForDedup(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' ').replace(/\s+/g, ' ').trim();
}

/** 32-bit FNV-1a of a string. */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The set of word n-grams ("shingles") of normalised text, hashed to 32 bits. */
export function shingles(text: string, n = 3): Set<number> {
  const w = normalizeForDedup(text).split(' ').filter(Boolean);
  const out = new Set<number>();
  if (w.length < n) {
    if (w.length) out.add(fnv1a(w.join(' ')));
    return out;
  }
  for (let i = 0; i + n <= w.length; i++) out.add(fnv1a(w.slice(i, i + n).join(' ')));
  return out;
}

/** Exact Jaccard similarity |A ∩ B| / |A ∪ B| of two sets (1 for two empty sets). */
export function jaccard(a: Set<number>, b: Set<number>): number {
  if (!a.size && !b.size) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

const PRIME = 4294967311; // > 2^32: universal hashing h(x) = (a·x + b) mod p

/** k seeded hash functions (a, b pairs) for MinHash. */
export function minhashFunctions(k: number, seed = 1): Array<[number, number]> {
  let s = seed >>> 0 || 1;
  const next = () => {
    // xorshift32
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
  return Array.from({ length: k }, () => [1 + (next() % (PRIME - 1)), next()] as [number, number]);
}

/** (a·x + b) mod p without losing precision (split a into 16-bit halves). */
function hashMod(a: number, b: number, x: number): number {
  const hi = Math.floor(a / 65536), lo = a % 65536;
  const t = ((hi * x) % PRIME) * 65536 % PRIME;
  return (t + lo * x + b) % PRIME;
}

/** MinHash signature: for each hash function, the minimum hash over the set. */
export function minhash(set: Set<number>, fns: Array<[number, number]>): Float64Array {
  const sig = new Float64Array(fns.length).fill(Infinity);
  for (const x of set)
    for (let i = 0; i < fns.length; i++) {
      const h = hashMod(fns[i][0], fns[i][1], x);
      if (h < sig[i]) sig[i] = h;
    }
  return sig;
}

/** Fraction of equal positions of two signatures: an unbiased estimate of the Jaccard similarity. */
export function signatureSimilarity(a: Float64Array, b: Float64Array): number {
  let eq = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) eq++;
  return eq / a.length;
}

/** Probability that LSH with b bands of r rows makes a pair of Jaccard similarity s a candidate. */
export function candidateProbability(s: number, bands: number, rows: number): number {
  return 1 - Math.pow(1 - Math.pow(s, rows), bands);
}

/** Options of near-duplicate detection. */
export interface NearDupOptions {
  /** Hash functions (k = bands · rows). */
  bands: number;
  rows: number;
  /** Candidates at or above this exact Jaccard similarity are duplicates. */
  threshold: number;
  /** Word n-gram size. */
  ngram: number;
  seed?: number;
}

export const DEFAULT_NEAR_DUP: NearDupOptions = { bands: 20, rows: 5, threshold: 0.7, ngram: 3, seed: 1 };

/** Near-duplicate clusters: for each text, the index of the row it duplicates (or itself). */
export interface NearDupResult {
  /** keepOf[i] = index of the kept row of i's cluster (i itself when i is kept). */
  keepOf: number[];
  /** Candidate pairs from LSH, with their exact Jaccard similarity. */
  candidates: Array<{ i: number; j: number; jaccard: number; estimate: number }>;
}

/** Finds near duplicates with MinHash-LSH, verified by exact Jaccard; the first row of a cluster is kept. */
export function nearDuplicates(texts: string[], o: NearDupOptions = DEFAULT_NEAR_DUP): NearDupResult {
  const fns = minhashFunctions(o.bands * o.rows, o.seed ?? 1);
  const sets = texts.map((t) => shingles(t, o.ngram));
  const sigs = sets.map((s) => minhash(s, fns));
  const buckets = new Map<string, number[]>();
  for (let i = 0; i < texts.length; i++)
    for (let b = 0; b < o.bands; b++) {
      const key = `${b}:${Array.from(sigs[i].subarray(b * o.rows, (b + 1) * o.rows)).join(',')}`;
      const list = buckets.get(key);
      if (list) list.push(i);
      else buckets.set(key, [i]);
    }
  const pairs = new Set<string>();
  const candidates: NearDupResult['candidates'] = [];
  for (const list of buckets.values())
    for (let x = 0; x < list.length; x++)
      for (let y = x + 1; y < list.length; y++) {
        const i = list[x], j = list[y], key = `${i},${j}`;
        if (pairs.has(key)) continue;
        pairs.add(key);
        candidates.push({ i, j, jaccard: jaccard(sets[i], sets[j]), estimate: signatureSimilarity(sigs[i], sigs[j]) });
      }
  // Union-find over verified pairs; the smallest index is each cluster's representative.
  const parent = texts.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (const c of candidates)
    if (c.jaccard >= o.threshold) {
      const a = find(c.i), b = find(c.j);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  return { keepOf: texts.map((_, i) => find(i)), candidates };
}

/** Exact duplicates after normalisation: keepOf[i] = first row with the same normalised text. */
export function exactDuplicates(texts: string[]): number[] {
  const first = new Map<string, number>();
  return texts.map((t, i) => {
    const k = normalizeForDedup(t);
    const f = first.get(k);
    if (f === undefined) {
      first.set(k, i);
      return i;
    }
    return f;
  });
}

/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the same stream on
 * every platform, which is what makes sampled outputs reproducible.
 */

export interface Rng {
  /** Uniform number in [0, 1). */
  next(): number;
  /** The current internal state (restore with `createRng(state)` to continue the stream). */
  readonly state: number;
}

/** Creates a deterministic generator from a 32-bit integer seed (any number is folded to 32 bits). */
export function createRng(seed: number): Rng {
  let s = foldSeed(seed);
  return {
    next() {
      s = (s + 0x6d2b79f5) | 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    get state() {
      return s;
    },
  };
}

/** A fresh seed from `Math.random` for requests that don't give one. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

/** Folds any finite number (including negatives and fractions) into a 32-bit integer. */
function foldSeed(seed: number): number {
  if (!Number.isFinite(seed)) return 0;
  const hi = Math.floor(seed / 4294967296);
  return (Math.floor(seed) ^ Math.imul(hi, 0x9e3779b1)) | 0;
}

/**
 * 2-D toy datasets in the spirit of TensorFlow Playground: points in [-1, 1]², labels 0/1.
 * Seeded, so a share link reproduces the same points.
 */
import { RNG } from '../tinylm/autograd';

export type DatasetId = 'circle' | 'xor' | 'gauss' | 'spiral';
export const DATASETS: ReadonlyArray<{ id: DatasetId; label: string }> = [
  { id: 'circle', label: 'Circle' },
  { id: 'xor', label: 'XOR' },
  { id: 'gauss', label: 'Two blobs' },
  { id: 'spiral', label: 'Spiral' },
];

export interface Dataset {
  /** [n, 2] row-major */
  x: Float32Array;
  /** [n] 0 or 1 */
  y: Int32Array;
  n: number;
}

const uniform = (rng: RNG, a: number, b: number) => a + (b - a) * rng.next();

/** Generates `n` points of a dataset with Gaussian noise of std `noise` (in units of the [-1,1] box). */
export function makeDataset(id: DatasetId, n: number, noise: number, seed: number): Dataset {
  const rng = new RNG(seed);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let px = 0, py = 0, label = 0;
    switch (id) {
      case 'circle': {
        // Inner disc (radius < 0.5) is class 1; a ring at radius 0.7–1 is class 0.
        label = i % 2;
        const r = label ? uniform(rng, 0, 0.45) : uniform(rng, 0.65, 0.95);
        const a = uniform(rng, 0, 2 * Math.PI);
        px = r * Math.cos(a);
        py = r * Math.sin(a);
        break;
      }
      case 'xor': {
        px = uniform(rng, -1, 1);
        py = uniform(rng, -1, 1);
        // Keep a small gap around the axes so the classes are learnable.
        px += px > 0 ? 0.05 : -0.05;
        py += py > 0 ? 0.05 : -0.05;
        label = px * py > 0 ? 1 : 0;
        break;
      }
      case 'gauss': {
        label = i % 2;
        const c = label ? 0.45 : -0.45;
        px = c + rng.normal() * 0.2;
        py = c + rng.normal() * 0.2;
        break;
      }
      case 'spiral': {
        // Two interleaved arms; arm `label` is rotated by π.
        label = i % 2;
        const t = (Math.floor(i / 2) / Math.ceil(n / 2)) * 1.75 * Math.PI;
        const r = (t / (1.75 * Math.PI)) * 0.9 + 0.05;
        px = r * Math.sin(t + label * Math.PI);
        py = r * Math.cos(t + label * Math.PI);
        break;
      }
    }
    x[2 * i] = clamp(px + rng.normal() * noise);
    x[2 * i + 1] = clamp(py + rng.normal() * noise);
    y[i] = label;
  }
  return { x, y, n };
}

const clamp = (v: number) => Math.max(-1, Math.min(1, v));

/**
 * Splits a dataset, stratified by class: every `1/testFraction`-th point *of each class* goes to
 * the test set (deterministic). Counting per class matters: datasets that label points `i % 2`
 * would otherwise put only one class in the test set when the step is even.
 */
export function splitDataset(d: Dataset, testFraction: number): { train: Dataset; test: Dataset } {
  const every = testFraction > 0 ? Math.max(2, Math.round(1 / testFraction)) : Infinity;
  const tr: number[] = [], te: number[] = [];
  const seen = new Map<number, number>(); // class → points of it met so far
  for (let i = 0; i < d.n; i++) {
    const c = d.y[i]!;
    const k = seen.get(c) ?? 0;
    seen.set(c, k + 1);
    (k % every === every - 1 ? te : tr).push(i);
  }
  return { train: subset(d, tr), test: subset(d, te) };
}

/** The rows `idx` of a dataset. */
export function subset(d: Dataset, idx: number[]): Dataset {
  const x = new Float32Array(idx.length * 2);
  const y = new Int32Array(idx.length);
  idx.forEach((j, i) => {
    x[2 * i] = d.x[2 * j]!;
    x[2 * i + 1] = d.x[2 * j + 1]!;
    y[i] = d.y[j]!;
  });
  return { x, y, n: idx.length };
}

/** Finite-difference gradient checking for the autograd tests. */
import { RNG, Tensor } from '../../../src/lib/tinylm/autograd';

/** Random parameter with values in a benign range. */
export function rand(shape: number[], rng: RNG, std = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.normal() * std;
  return new Tensor(d, shape, true);
}

/**
 * Compares analytic gradients of L = Σ f(inputs) ⊙ R (R fixed random) with central differences
 * (float64 accumulation of L). Returns the worst |analytic − numeric| / (atol + rtol·|numeric|).
 */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: { eps?: number; seed?: number; maxPerInput?: number } = {}): number {
  const eps = opts.eps ?? 1e-2;
  const rng = new RNG(opts.seed ?? 7);
  const out0 = f(...inputs);
  const R = new Float64Array(out0.size);
  for (let i = 0; i < R.length; i++) R[i] = rng.normal();
  const L = () => {
    const o = f(...inputs);
    let s = 0;
    for (let i = 0; i < o.size; i++) s += o.data[i] * R[i];
    return s;
  };
  for (const x of inputs) x.grad = null;
  const out = f(...inputs);
  out.backward(Float32Array.from(R));
  let worst = 0;
  for (const x of inputs) {
    if (!x.requiresGrad) continue;
    const n = x.size;
    const idx = n <= (opts.maxPerInput ?? 64) ? [...Array(n).keys()] : Array.from({ length: opts.maxPerInput ?? 64 }, () => rng.int(n));
    for (const i of idx) {
      const old = x.data[i];
      x.data[i] = old + eps;
      const lp = L();
      x.data[i] = old - eps;
      const lm = L();
      x.data[i] = old;
      const num = (lp - lm) / (2 * eps);
      const ana = x.grad ? x.grad[i] : 0;
      worst = Math.max(worst, Math.abs(ana - num) / (2e-3 + 1e-2 * Math.abs(num)));
    }
  }
  return worst;
}

/**
 * A small reverse-mode autograd over Float32Array tensors.
 *
 * A `Tensor` holds row-major `data`, its `shape`, and (after `backward()`) its `grad`. Each op
 * returns a new tensor that remembers its parents and a closure that pushes its output gradient
 * back to them. `loss.backward()` walks the graph in reverse topological order. Ops work on whole
 * arrays (vectorised), not on scalars, so a transformer batch trains at array speed.
 *
 * Generic ops live here (elementwise, reductions, shapes); the transformer ops (linear, RMSNorm,
 * RoPE, attention, SwiGLU, embedding, cross-entropy) are in `ops.ts`. Both are re-exported by
 * `autograd.ts`.
 */
import { RNG } from './rng';

let nextId = 1;

/** A tensor node in the autograd graph. */
export class Tensor {
  readonly id = nextId++;
  data: Float32Array;
  readonly shape: number[];
  grad: Float32Array | null = null;
  requiresGrad: boolean;
  /** Optional name (parameters: the Hugging Face weight name). */
  name?: string;
  /** @internal parents in the graph */
  _parents: Tensor[] = [];
  /** @internal pushes this.grad into the parents' grads */
  _backward: (() => void) | null = null;

  constructor(data: Float32Array, shape: number[], requiresGrad = false) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new Error(`Tensor data length ${data.length} does not match shape [${shape}]`);
    this.data = data;
    this.shape = shape;
    this.requiresGrad = requiresGrad;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new Error(`item() needs one element, got shape [${this.shape}]`);
    return this.data[0];
  }

  /** Gradient buffer, allocated (zeros) on first use. */
  ensureGrad(): Float32Array {
    if (!this.grad) this.grad = new Float32Array(this.data.length);
    return this.grad;
  }

  /** Clears the gradient (parameters call this before each step). */
  zeroGrad(): void {
    if (this.grad) this.grad.fill(0);
  }

  /**
   * Back-propagates from this tensor. A scalar gets seed gradient 1; otherwise pass `seed`
   * (same shape). Gradients accumulate into every reachable tensor that requires grad.
   */
  backward(seed?: Float32Array): void {
    if (!seed && this.data.length !== 1) throw new Error('backward() without a seed needs a scalar');
    const order = topoOrder(this);
    const g = this.ensureGrad();
    if (seed) for (let i = 0; i < g.length; i++) g[i] += seed[i];
    else g[0] += 1;
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      if (t._backward && t.grad) t._backward();
    }
    // Free interior nodes' closures so a long training loop does not keep graphs alive.
    for (const t of order) {
      if (t._parents.length) {
        t._parents = [];
        t._backward = null;
      }
    }
  }
}

/** Nodes reachable from `root` that require grad, parents before children. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<number>();
  // Iterative DFS (graphs of deep models would overflow a recursive one).
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root.id);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    if (i < t._parents.length) {
      top[1]++;
      const p = t._parents[i];
      if (p.requiresGrad && !seen.has(p.id)) {
        seen.add(p.id);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/** Builds an op result: records parents and the backward closure only when some input needs grad. */
export function result(data: Float32Array, shape: number[], parents: Tensor[], backward: (out: Tensor) => void): Tensor {
  const needs = parents.some((p) => p.requiresGrad);
  const out = new Tensor(data, shape, needs);
  if (needs) {
    out._parents = parents;
    out._backward = () => backward(out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Construction

/** A constant tensor (no gradient) from numbers or a Float32Array. */
export function tensor(data: ArrayLike<number>, shape?: number[]): Tensor {
  const d = data instanceof Float32Array ? data : Float32Array.from(data);
  return new Tensor(d, shape ?? [d.length]);
}

/** A trainable parameter (requires grad). */
export function parameter(data: ArrayLike<number>, shape: number[], name?: string): Tensor {
  const t = new Tensor(data instanceof Float32Array ? data : Float32Array.from(data), shape, true);
  t.name = name;
  return t;
}

/** Zeros of a shape. */
export function zeros(shape: number[], requiresGrad = false): Tensor {
  return new Tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape, requiresGrad);
}

/** Normal(0, std²) initialised parameter from a seeded RNG. */
export function randn(shape: number[], rng: RNG, std = 1, requiresGrad = true): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.normal() * std;
  return new Tensor(d, shape, requiresGrad);
}

function sameShape(a: Tensor, b: Tensor): boolean {
  return a.shape.length === b.shape.length && a.shape.every((s, i) => s === b.shape[i]);
}

/**
 * Broadcast rule used by add/sub/mul: `b` has the same shape as `a`, or its shape is a suffix of
 * a's shape (a bias [N] added to every row of [M, N]), or it is a single element.
 */
function broadcastInner(a: Tensor, b: Tensor): number {
  if (sameShape(a, b)) return a.size;
  if (b.size === 1) return 1;
  const k = b.shape.length;
  const suffix = a.shape.slice(a.shape.length - k);
  if (k <= a.shape.length && suffix.every((s, i) => s === b.shape[i])) return b.size;
  throw new Error(`Cannot broadcast [${b.shape}] to [${a.shape}]`);
}

// ---------------------------------------------------------------------------------------------
// Elementwise

/** a + b (b may broadcast over a's leading dims). */
export function add(a: Tensor, b: Tensor): Tensor {
  const n = broadcastInner(a, b);
  const out = new Float32Array(a.size);
  for (let i = 0; i < a.size; i++) out[i] = a.data[i] + b.data[i % n];
  return result(out, a.shape.slice(), [a, b], (o) => {
    const g = o.grad!;
    if (a.requiresGrad) {
      const ga = a.ensureGrad();
      for (let i = 0; i < g.length; i++) ga[i] += g[i];
    }
    if (b.requiresGrad) {
      const gb = b.ensureGrad();
      for (let i = 0; i < g.length; i++) gb[i % n] += g[i];
    }
  });
}

/** a − b (b may broadcast). */
export function sub(a: Tensor, b: Tensor): Tensor {
  return add(a, scale(b, -1));
}

/** a ⊙ b elementwise (b may broadcast). */
export function mul(a: Tensor, b: Tensor): Tensor {
  const n = broadcastInner(a, b);
  const out = new Float32Array(a.size);
  for (let i = 0; i < a.size; i++) out[i] = a.data[i] * b.data[i % n];
  return result(out, a.shape.slice(), [a, b], (o) => {
    const g = o.grad!;
    if (a.requiresGrad) {
      const ga = a.ensureGrad();
      for (let i = 0; i < g.length; i++) ga[i] += g[i] * b.data[i % n];
    }
    if (b.requiresGrad) {
      const gb = b.ensureGrad();
      for (let i = 0; i < g.length; i++) gb[i % n] += g[i] * a.data[i];
    }
  });
}

/** s · a for a constant scalar s. */
export function scale(a: Tensor, s: number): Tensor {
  const out = new Float32Array(a.size);
  for (let i = 0; i < a.size; i++) out[i] = a.data[i] * s;
  return result(out, a.shape.slice(), [a], (o) => {
    const g = o.grad!, ga = a.ensureGrad();
    for (let i = 0; i < g.length; i++) ga[i] += g[i] * s;
  });
}

/** a + s for a constant scalar s. */
export function addScalar(a: Tensor, s: number): Tensor {
  const out = new Float32Array(a.size);
  for (let i = 0; i < a.size; i++) out[i] = a.data[i] + s;
  return result(out, a.shape.slice(), [a], (o) => {
    const g = o.grad!, ga = a.ensureGrad();
    for (let i = 0; i < g.length; i++) ga[i] += g[i];
  });
}

/** Applies f elementwise, with df(x, y) its derivative given input x and output y. */
function unary(a: Tensor, f: (x: number) => number, df: (x: number, y: number) => number): Tensor {
  const out = new Float32Array(a.size);
  for (let i = 0; i < a.size; i++) out[i] = f(a.data[i]);
  return result(out, a.shape.slice(), [a], (o) => {
    const g = o.grad!, ga = a.ensureGrad();
    for (let i = 0; i < g.length; i++) ga[i] += g[i] * df(a.data[i], o.data[i]);
  });
}

/** max(0, x). */
export const relu = (a: Tensor): Tensor => unary(a, (x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0));
/** tanh(x). */
export const tanh = (a: Tensor): Tensor => unary(a, Math.tanh, (_x, y) => 1 - y * y);
/** 1 / (1 + e^−x). */
export const sigmoid = (a: Tensor): Tensor => unary(a, (x) => 1 / (1 + Math.exp(-x)), (_x, y) => y * (1 - y));
/** e^x. */
export const exp = (a: Tensor): Tensor => unary(a, Math.exp, (_x, y) => y);
/** ln x. */
export const log = (a: Tensor): Tensor => unary(a, Math.log, (x) => 1 / x);
/** x². */
export const square = (a: Tensor): Tensor => unary(a, (x) => x * x, (x) => 2 * x);
/** log(1 + e^x), computed stably (used by the DPO loss: −log σ(z) = softplus(−z)). */
export const softplus = (a: Tensor): Tensor =>
  unary(a, (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), (x) => 1 / (1 + Math.exp(-x)));

// ---------------------------------------------------------------------------------------------
// Reductions

/** Sum of all elements → scalar [1]. */
export function sum(a: Tensor): Tensor {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i];
  return result(Float32Array.of(s), [1], [a], (o) => {
    const g = o.grad![0], ga = a.ensureGrad();
    for (let i = 0; i < ga.length; i++) ga[i] += g;
  });
}

/** Mean of all elements → scalar [1]. */
export function mean(a: Tensor): Tensor {
  return scale(sum(a), 1 / a.size);
}

/** Sums over the last axis: [..., N] → [...]. */
export function sumLastAxis(a: Tensor): Tensor {
  const N = a.shape[a.shape.length - 1];
  const M = a.size / N;
  const out = new Float32Array(M);
  for (let i = 0; i < M; i++) {
    let s = 0;
    for (let j = 0; j < N; j++) s += a.data[i * N + j];
    out[i] = s;
  }
  const shape = a.shape.length > 1 ? a.shape.slice(0, -1) : [1];
  return result(out, shape, [a], (o) => {
    const g = o.grad!, ga = a.ensureGrad();
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) ga[i * N + j] += g[i];
  });
}

// ---------------------------------------------------------------------------------------------
// Shapes

/** Same data, new shape (element count must match). */
export function reshape(a: Tensor, shape: number[]): Tensor {
  return result(a.data, shape, [a], (o) => {
    const g = o.grad!, ga = a.ensureGrad();
    for (let i = 0; i < g.length; i++) ga[i] += g[i];
  });
}

function strides(shape: number[], axis: number): [outer: number, len: number, inner: number] {
  const ax = axis < 0 ? shape.length + axis : axis;
  let outer = 1, inner = 1;
  for (let i = 0; i < ax; i++) outer *= shape[i];
  for (let i = ax + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[ax], inner];
}

/** Elements [start, end) along `axis`. */
export function slice(a: Tensor, axis: number, start: number, end: number): Tensor {
  const ax = axis < 0 ? a.shape.length + axis : axis;
  const [outer, len, inner] = strides(a.shape, ax);
  if (start < 0 || end > len || start > end) throw new Error(`slice [${start}, ${end}) out of range ${len}`);
  const n = end - start;
  const out = new Float32Array(outer * n * inner);
  for (let o = 0; o < outer; o++) out.set(a.data.subarray((o * len + start) * inner, (o * len + end) * inner), o * n * inner);
  const shape = a.shape.slice();
  shape[ax] = n;
  return result(out, shape, [a], (r) => {
    const g = r.grad!, ga = a.ensureGrad();
    for (let o = 0; o < outer; o++) {
      const src = o * n * inner, dst = (o * len + start) * inner;
      for (let i = 0; i < n * inner; i++) ga[dst + i] += g[src + i];
    }
  });
}

/** Concatenates tensors along `axis` (other dims must match). */
export function concat(parts: Tensor[], axis: number): Tensor {
  const ax = axis < 0 ? parts[0].shape.length + axis : axis;
  const lens = parts.map((p) => p.shape[ax]);
  const total = lens.reduce((a, b) => a + b, 0);
  const [outer, , inner] = strides(parts[0].shape, ax);
  const out = new Float32Array(outer * total * inner);
  let off = 0;
  for (let p = 0; p < parts.length; p++) {
    const n = lens[p] * inner;
    for (let o = 0; o < outer; o++) out.set(parts[p].data.subarray(o * n, (o + 1) * n), o * total * inner + off);
    off += n;
  }
  const shape = parts[0].shape.slice();
  shape[ax] = total;
  return result(out, shape, parts, (r) => {
    const g = r.grad!;
    let off2 = 0;
    for (let p = 0; p < parts.length; p++) {
      const n = lens[p] * inner;
      if (parts[p].requiresGrad) {
        const gp = parts[p].ensureGrad();
        for (let o = 0; o < outer; o++) {
          const src = o * total * inner + off2;
          for (let i = 0; i < n; i++) gp[o * n + i] += g[src + i];
        }
      }
      off2 += n;
    }
  });
}

/** Transpose of a 2-D tensor [M, N] → [N, M]. */
export function transpose(a: Tensor): Tensor {
  const [M, N] = a.shape;
  const out = new Float32Array(a.size);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out[j * M + i] = a.data[i * N + j];
  return result(out, [N, M], [a], (o) => {
    const g = o.grad!, ga = a.ensureGrad();
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) ga[i * N + j] += g[j * M + i];
  });
}

/**
 * A training session for the NN playground: dataset + MLP + SGD, stepped in small chunks so a
 * worker can report progress between them. Pure TypeScript: the worker and the Node tests use it
 * unchanged.
 */
import { SGD, RNG, crossEntropy, tensor, type Tensor } from '../tinylm/autograd';
import { makeDataset, splitDataset, subset, type Dataset, type DatasetId } from './datasets';
import { MLP, type Activation } from './mlp';

export interface PlaygroundConfig {
  dataset: DatasetId;
  noise: number;
  points: number;
  hidden: number[];
  activation: Activation;
  learningRate: number;
  batchSize: number;
  seed: number;
}

export interface Snapshot {
  step: number;
  epoch: number;
  trainLoss: number;
  testLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** P(class 1) on a G×G grid over [-1,1]², row 0 at y = +1 (top), row-major */
  grid: Float32Array;
  gridSize: number;
}

/** One example through the network: every neuron's value and the loss gradient at it. */
export interface NodeTrace {
  point: [number, number];
  label: number;
  loss: number;
  /** per layer (hidden…, output): pre-activation z, activation a, and ∂loss/∂z, ∂loss/∂a */
  layers: Array<{ z: number[]; a: number[]; dz: number[]; da: number[] }>;
  /** per layer: weights [out][in] and their gradients for this one example */
  weights: Array<{ W: number[][]; dW: number[][]; b: number[]; db: number[] }>;
}

export class PlaygroundSession {
  readonly mlp: MLP;
  readonly train: Dataset;
  readonly test: Dataset;
  readonly opt: SGD;
  step = 0;
  private order: number[];
  private cursor = 0;
  private rng: RNG;

  constructor(readonly config: PlaygroundConfig) {
    const all = makeDataset(config.dataset, config.points, config.noise, config.seed);
    ({ train: this.train, test: this.test } = splitDataset(all, 0.25));
    this.mlp = new MLP({ hidden: config.hidden, activation: config.activation, seed: config.seed + 1 });
    this.opt = new SGD(this.mlp.params, config.learningRate);
    this.rng = new RNG(config.seed + 2);
    this.order = this.shuffled();
  }

  get epoch(): number {
    return (this.step * this.config.batchSize) / this.train.n;
  }

  private shuffled(): number[] {
    const idx = Array.from({ length: this.train.n }, (_, i) => i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx;
  }

  /** Runs `n` SGD steps on mini-batches; returns the last batch loss. */
  run(n: number): number {
    let last = NaN;
    const bs = Math.max(1, Math.min(this.config.batchSize, this.train.n));
    for (let s = 0; s < n; s++) {
      if (this.cursor + bs > this.order.length) {
        this.order = this.shuffled();
        this.cursor = 0;
      }
      const batch = subset(this.train, this.order.slice(this.cursor, this.cursor + bs));
      this.cursor += bs;
      this.opt.zeroGrad();
      const loss = this.mlp.loss(batch.x, batch.y);
      loss.backward();
      this.opt.step();
      last = loss.item();
      this.step++;
    }
    return last;
  }

  /** Loss and accuracy on a dataset (no gradient needed). */
  evaluate(d: Dataset): { loss: number; accuracy: number } {
    if (d.n === 0) return { loss: NaN, accuracy: NaN };
    const logits = this.mlp.forward(tensor(d.x, [d.n, 2]));
    const loss = crossEntropy(logits, d.y).item();
    let correct = 0;
    for (let i = 0; i < d.n; i++) if ((logits.data[2 * i + 1]! > logits.data[2 * i]! ? 1 : 0) === d.y[i]) correct++;
    return { loss, accuracy: correct / d.n };
  }

  /** Current losses, accuracies and the decision surface on a G×G grid. */
  snapshot(gridSize = 40): Snapshot {
    const g = new Float32Array(gridSize * gridSize * 2);
    for (let r = 0; r < gridSize; r++)
      for (let c = 0; c < gridSize; c++) {
        const i = r * gridSize + c;
        g[2 * i] = -1 + (2 * (c + 0.5)) / gridSize;
        g[2 * i + 1] = 1 - (2 * (r + 0.5)) / gridSize;
      }
    const tr = this.evaluate(this.train);
    const te = this.evaluate(this.test);
    return {
      step: this.step,
      epoch: this.epoch,
      trainLoss: tr.loss,
      testLoss: te.loss,
      trainAccuracy: tr.accuracy,
      testAccuracy: te.accuracy,
      grid: this.mlp.predict(g),
      gridSize,
    };
  }

  /** Forward and backward for one example, exposing every neuron's value and gradient. */
  inspect(point: [number, number], label: number): NodeTrace {
    const x = tensor(Float32Array.from(point), [1, 2]);
    const layers = this.mlp.trace(x);
    const loss = crossEntropy(layers[layers.length - 1]!.a, [label]);
    // Gradients of this single example only: save and restore the parameters' grads.
    const saved = this.mlp.params.map((p) => (p.grad ? p.grad.slice() : null));
    this.mlp.params.forEach((p) => p.zeroGrad());
    loss.backward();
    const arr = (t: Tensor | null | undefined, f: 'data' | 'grad') => Array.from((f === 'data' ? t?.data : t?.grad) ?? new Float32Array(t?.size ?? 0));
    const out: NodeTrace = {
      point,
      label,
      loss: loss.item(),
      layers: layers.map(({ z, a }) => ({ z: arr(z, 'data'), a: arr(a, 'data'), dz: arr(z, 'grad'), da: arr(a, 'grad') })),
      weights: this.mlp.W.map((W, l) => {
        const [o, i] = W.shape as [number, number];
        const rows = (d: Float32Array | null) => Array.from({ length: o }, (_, r) => Array.from((d ?? new Float32Array(o * i)).subarray(r * i, r * i + i)));
        return { W: rows(W.data), dW: rows(W.grad), b: arr(this.mlp.b[l], 'data'), db: arr(this.mlp.b[l], 'grad') };
      }),
    };
    this.mlp.params.forEach((p, k) => {
      const s = saved[k];
      if (s) p.grad!.set(s);
      else p.zeroGrad();
    });
    return out;
  }
}

/**
 * A small multi-layer perceptron for 2-D classification, built on TinyLM's autograd (no second
 * autograd here): layers are `linear` + bias + activation, the last layer gives 2 logits.
 */
import {
  RNG, add, crossEntropy, linear, randn, relu, sigmoid, tanh, tensor, zeros, type Tensor,
} from '../tinylm/autograd';

export type Activation = 'tanh' | 'relu' | 'sigmoid' | 'linear';

export interface MLPConfig {
  /** widths of the hidden layers, e.g. [4, 4] */
  hidden: number[];
  activation: Activation;
  seed: number;
}

const ACT: Record<Activation, (t: Tensor) => Tensor> = { tanh, relu, sigmoid, linear: (t) => t };

/** One traced forward pass: pre-activations (z) and activations (a) per layer. */
export interface LayerTrace {
  z: Tensor;
  a: Tensor;
}

export class MLP {
  /** W[l]: [out, in] (Hugging Face layout), b[l]: [out] */
  readonly W: Tensor[] = [];
  readonly b: Tensor[] = [];
  readonly sizes: number[];

  constructor(readonly config: MLPConfig) {
    this.sizes = [2, ...config.hidden, 2];
    const rng = new RNG(config.seed);
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const fanIn = this.sizes[l]!;
      // Xavier-style init keeps tanh units out of saturation at the start.
      const std = Math.sqrt((config.activation === 'relu' ? 2 : 1) / fanIn);
      const W = randn([this.sizes[l + 1]!, fanIn], rng, std);
      W.name = `W${l + 1}`;
      const b = zeros([this.sizes[l + 1]!], true);
      b.name = `b${l + 1}`;
      this.W.push(W);
      this.b.push(b);
    }
  }

  get params(): Tensor[] {
    return [...this.W, ...this.b];
  }

  /** Forward over points x [n, 2] → logits [n, 2], keeping every layer's z and a. */
  trace(x: Tensor): LayerTrace[] {
    const out: LayerTrace[] = [];
    let h = x;
    for (let l = 0; l < this.W.length; l++) {
      const z = add(linear(h, this.W[l]!), this.b[l]!); // [n, out]
      const last = l === this.W.length - 1;
      const a = last ? z : ACT[this.config.activation](z);
      out.push({ z, a });
      h = a;
    }
    return out;
  }

  /** Logits [n, 2] for points [n, 2]. */
  forward(x: Tensor): Tensor {
    const t = this.trace(x);
    return t[t.length - 1]!.a;
  }

  /** Mean cross-entropy on a dataset (scalar tensor, differentiable). */
  loss(x: Float32Array, y: Int32Array): Tensor {
    return crossEntropy(this.forward(tensor(x, [y.length, 2])), y);
  }

  /** P(class 1) for each point (no graph kept). */
  predict(x: Float32Array): Float32Array {
    const n = x.length / 2;
    const logits = this.forward(tensor(x, [n, 2])).data;
    const p = new Float32Array(n);
    for (let i = 0; i < n; i++) p[i] = 1 / (1 + Math.exp(logits[2 * i]! - logits[2 * i + 1]!));
    return p;
  }
}

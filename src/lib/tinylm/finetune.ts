/**
 * Fine-tuning TinyLM three ways over the same trainer (`train.ts`), for lesson 2.2:
 *  - full: every weight trains (AdamW keeps m and v for each: 2 × 4 bytes per parameter);
 *  - lora: the base is frozen (forward with detached weights: no gradient, no optimizer state) and
 *    only the adapter's A and B train (`lora.ts`);
 *  - qlora: as lora, but the frozen linear weights are stored in NF4 (`nf4.ts`) and dequantized on
 *    the fly each time the forward reads them; the adapter stays in f32.
 */
import type { TinyLMWeights } from './contract';
import { TinyLM } from './model';
import { LoraAdapter, type LoraConfig } from './lora';
import { dequantizeNF4, nf4Bytes, quantizeNF4, type NF4Tensor } from './nf4';
import { Trainer, evaluateLoss, sequentialBatches, type Batch, type TokenData, type TrainConfig, type TrainTarget } from './train';
import type { ForwardOptions } from './model';

export type FinetuneMethod = 'full' | 'lora' | 'qlora';

/** How to fine-tune. */
export interface FinetuneOptions {
  method: FinetuneMethod;
  /** Adapter settings (lora, qlora). */
  lora?: LoraConfig;
  /** QLoRA: double-quantize the NF4 block scales (default true, as in the QLoRA paper). */
  doubleQuant?: boolean;
  train: TrainConfig;
}

/** Bytes a run holds for the model and its training state. */
export interface FinetuneMemory {
  /** Trainable scalars. */
  trainable: number;
  /** Scalars of the base model. */
  baseParams: number;
  /** Bytes of the base weights as the method stores them (NF4 linears for qlora). */
  baseBytes: number;
  /** Gradient buffers (f32, trainable only). */
  gradBytes: number;
  /** AdamW's m and v (f32, trainable only). */
  optimizerBytes: number;
  /** Adapter weights (f32); 0 for full fine-tuning. */
  adapterBytes: number;
}

/** The linear (projection) weights of a model: the ones LoRA can target and QLoRA quantizes. */
export function linearWeightNames(weights: TinyLMWeights): string[] {
  return [...weights.keys()].filter((k) => /_proj\.weight$/.test(k));
}

/** NF4 copies of a model's linear weights. */
export function quantizeLinears(weights: TinyLMWeights, doubleQuant = true): Map<string, NF4Tensor> {
  return new Map(linearWeightNames(weights).map((k) => [k, quantizeNF4(weights.get(k)!.data, { doubleQuant })]));
}

/**
 * Deterministic evaluation batches whose windows begin at the data's example starts, in order
 * (each window holds one example from its first token; targets follow the data's mask).
 */
export function* exampleBatches(data: TokenData, B: number, T: number, maxBatches = Infinity): Generator<Batch> {
  const starts = data.starts ?? Int32Array.of(0);
  const n = data.tokens.length;
  for (let k = 0, made = 0; k < starts.length && made < maxBatches; made++) {
    const inputs = new Int32Array(B * T);
    const targets = new Int32Array(B * T).fill(-1);
    for (let b = 0; b < B && k < starts.length; b++, k++) {
      const end = k + 1 < starts.length ? starts[k + 1] : n; // stop at the next example
      for (let t = 0; t < T; t++) {
        const i = starts[k] + t;
        inputs[b * T + t] = i < end ? data.tokens[i] : 0;
        if (i + 1 < end && (!data.mask || data.mask[i + 1])) targets[b * T + t] = data.tokens[i + 1];
      }
    }
    yield { inputs, targets, B, T };
  }
}

/** A fine-tuning run: the model, what trains, and a `Trainer` over it. */
export class FineTuner {
  readonly adapter: LoraAdapter | null;
  /** The frozen base's linear weights in NF4 (qlora only). */
  readonly nf4: Map<string, NF4Tensor> | null;
  readonly trainer: Trainer;

  /** `model` is trained in place for `full`; for lora/qlora its weights are never written. */
  constructor(
    readonly model: TinyLM,
    data: TokenData,
    readonly opts: FinetuneOptions,
  ) {
    if (opts.method === 'full') {
      this.adapter = null;
      this.nf4 = null;
      this.trainer = new Trainer(model, data, opts.train);
      return;
    }
    if (!opts.lora) throw new Error(`${opts.method} needs a LoRA config`);
    this.adapter = LoraAdapter.create(model.config, opts.lora);
    this.nf4 = opts.method === 'qlora' ? quantizeLinears(model.weights, opts.doubleQuant ?? true) : null;
    const target: TrainTarget = { params: this.adapter.parameters(), forward: (train) => this.forwardOptions(train) };
    this.trainer = new Trainer(model, data, opts.train, [], target);
  }

  /** Forward options of this method: frozen base, adapters, NF4 weights dequantized at use. */
  forwardOptions(train = false): ForwardOptions {
    if (!this.adapter) return {};
    const nf4 = this.nf4;
    return {
      noGrad: true,
      adapters: this.adapter.forwardAdapters(train),
      // A fresh buffer per use: the backward pass of `linear` still reads it.
      weightSource: nf4 ? (name) => (nf4.has(name) ? dequantizeNF4(nf4.get(name)!) : null) : undefined,
    };
  }

  /**
   * Mean loss over `data` (no gradients): windows at example starts when the data has them (so a
   * reply is scored with its prompt in view), else sequential windows.
   */
  evaluate(data: TokenData, maxBatches = 8, B = 4): number {
    const T = this.opts.train.seqLen;
    const batches = data.starts?.length ? exampleBatches(data, B, T, maxBatches) : sequentialBatches(data, B, T, maxBatches);
    return evaluateLoss(this.model, batches, this.forwardOptions(false));
  }

  /** Memory of this run (see `FinetuneMemory`). */
  memory(): FinetuneMemory {
    const baseParams = this.model.parameterCount;
    let baseBytes = 4 * baseParams;
    if (this.nf4) for (const [k, q] of this.nf4) baseBytes += nf4Bytes(q) - 4 * this.model.weight(k).data.length;
    const trainable = this.adapter ? this.adapter.parameterCount : baseParams;
    return {
      trainable, baseParams, baseBytes, gradBytes: 4 * trainable, optimizerBytes: 8 * trainable,
      adapterBytes: this.adapter ? 4 * trainable : 0,
    };
  }

  /**
   * The weights the fine-tuned model computes with, as a plain model for generation and export:
   * full → the trained weights; lora → W + s·B·A; qlora → dequant(NF4(W)) + s·B·A.
   */
  mergedWeights(): TinyLMWeights {
    if (!this.adapter) return this.model.weights;
    let base = this.model.weights;
    if (this.nf4) {
      base = new Map(base);
      for (const [k, q] of this.nf4) base.set(k, { shape: this.model.weight(k).shape.slice(), data: dequantizeNF4(q) });
    }
    return this.adapter.merged(base);
  }

  /** A model over `mergedWeights()` (KV-cache generation works on it unchanged). */
  mergedModel(): TinyLM {
    return new TinyLM(this.model.config, this.mergedWeights());
  }
}

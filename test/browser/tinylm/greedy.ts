/**
 * Greedy decoding helpers for comparing TinyLM with llama.cpp (pure: no wllama, runs in Node too).
 */
import type { InferenceSession, TinyLMWeights } from '../../../src/lib/tinylm/contract';
import type { TinyLM } from '../../../src/lib/tinylm/model';
import { tensorStorageType } from '../../../src/lib/tinylm/gguf';
import { fakeQuantize, type QuantType } from '../../../src/lib/tinylm/quant';

export interface TokenizerLike {
  vocab: Map<number, Uint8Array>;
  specialTokens: readonly string[];
}

/** Ids the comparison never lets either side pick: specials and tokens that are not whole UTF-8. */
export function bannedIds(tok: TokenizerLike, vocabSize: number): number[] {
  const dec = new TextDecoder('utf-8', { fatal: true });
  const specials = new Set(tok.specialTokens);
  const out: number[] = [];
  for (let id = 0; id < vocabSize; id++) {
    const b = tok.vocab.get(id);
    let ok = !!b;
    if (b) {
      try {
        ok = !specials.has(dec.decode(b));
      } catch {
        ok = false;
      }
    }
    if (!ok) out.push(id);
  }
  return out;
}

function argmaxMasked(logits: Float32Array, banned: Uint8Array): number {
  let best = -1;
  for (let j = 0; j < logits.length; j++) if (!banned[j] && (best < 0 || logits[j] > logits[best])) best = j;
  return best;
}

function mask(vocab: number, banned: number[]): Uint8Array {
  const m = new Uint8Array(vocab);
  for (const id of banned) m[id] = 1;
  return m;
}

/** Our greedy continuation (KV-cached session) of `promptIds`. */
export function oursGreedy(model: TinyLM, promptIds: number[], n: number, banned: number[]): number[] {
  const m = mask(model.config.vocabSize, banned);
  const s: InferenceSession = model.newSession();
  let logits = s.append(promptIds);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = argmaxMasked(logits, m);
    out.push(id);
    if (i < n - 1) logits = s.append([id]);
  }
  return out;
}

/** Teacher forcing along `seq`: the fraction of positions where our argmax is `seq`'s token. */
export function top1Agreement(model: TinyLM, promptIds: number[], seq: number[], banned: number[]): number {
  const m = mask(model.config.vocabSize, banned);
  const s = model.newSession();
  let logits = s.append(promptIds);
  let agree = 0;
  for (let i = 0; i < seq.length; i++) {
    if (argmaxMasked(logits, m) === seq[i]) agree++;
    if (i < seq.length - 1) logits = s.append([seq[i]]);
  }
  return agree / seq.length;
}

/** Length of the common prefix of two id lists. */
export function commonPrefix(a: number[], b: number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The weights a GGUF of `type` holds, decoded back to float32 (what llama.cpp computes with). */
export function quantizedWeights(weights: TinyLMWeights, type: QuantType): TinyLMWeights {
  const out: TinyLMWeights = new Map();
  for (const [name, t] of weights) out.set(name, { shape: t.shape, data: fakeQuantize(tensorStorageType(t.shape, type), t.data) });
  return out;
}

/** Our log-softmax over the full vocabulary at each step of `seq` after `promptIds` [len(seq)][V]. */
export function oursLogprobs(model: TinyLM, promptIds: number[], seq: number[]): Float32Array[] {
  const s = model.newSession();
  let logits = s.append(promptIds);
  const out: Float32Array[] = [];
  for (let i = 0; i < seq.length; i++) {
    let m = -Infinity;
    for (const v of logits) m = Math.max(m, v);
    let z = 0;
    for (const v of logits) z += Math.exp(v - m);
    const lz = m + Math.log(z);
    out.push(logits.map((v) => v - lz));
    if (i < seq.length - 1) logits = s.append([seq[i]]);
  }
  return out;
}

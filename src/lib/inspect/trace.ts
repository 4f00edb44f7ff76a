/**
 * A step-by-step trace of TinyLM's forward pass for the architecture lesson: every intermediate
 * tensor of the decoder (embeddings → RMSNorm → attention → residual → RMSNorm → SwiGLU →
 * residual → … → logits) with its shape and per-position norms, and the attention arithmetic of
 * one head written out (q·k → scale → causal mask → softmax). Built from TinyLM's own ops and
 * weights (no second model); a unit test checks the final logits equal `model.forward`'s.
 */
import type { TinyLM } from '../tinylm/model';
import { layerNames } from '../tinylm/names';
import { Tensor, add } from '../tinylm/tensor';
import { attention, embedding, linear, rmsnorm, rope, swiglu } from '../tinylm/ops';

export interface TraceStep {
  /** e.g. "L0 · RMSNorm (before attention)" */
  name: string;
  /** which kind of step, for the diagram */
  kind: 'embed' | 'norm' | 'qkv' | 'rope' | 'attention' | 'proj' | 'residual' | 'ffn' | 'logits';
  layer: number;
  /** tensor shape, batch dimension dropped: [T, D] etc. */
  shape: number[];
  /** L2 norm of the vector at each position [T] */
  norms: number[];
  /** the first `preview` values at the selected position */
  preview: number[];
}

export interface HeadMath {
  layer: number;
  head: number;
  kvHead: number;
  /** query position */
  pos: number;
  headDim: number;
  /** q·k_j for every j (including masked ones), scaled by 1/√hd, and the softmax weights */
  dots: number[];
  scaled: number[];
  masked: boolean[];
  weights: number[];
}

export interface ForwardSteps {
  steps: TraceStep[];
  /** final logits at the selected position [V] */
  logits: Float32Array;
  /** attention probabilities per layer [H, T, T] */
  attention: Float32Array[];
  head: HeadMath | null;
  /** rotated queries [T, H·hd] and keys [T, Hkv·hd] per layer, for `headMath` on the page */
  qk: Array<{ q: Float32Array; k: Float32Array }>;
}

const view = (t: Tensor) => new Tensor(t.data, t.shape, false);

function norms(t: Tensor, T: number): number[] {
  const C = t.size / T;
  const out: number[] = [];
  for (let p = 0; p < T; p++) {
    let s = 0;
    for (let j = 0; j < C; j++) s += t.data[p * C + j]! ** 2;
    out.push(Math.sqrt(s));
  }
  return out;
}

/**
 * Runs the forward pass over `ids`, recording every step. `pos` selects the position whose
 * values are previewed and whose attention for (`layer`, `head`) is written out.
 */
export function traceForward(
  model: TinyLM,
  ids: number[],
  opts: { pos?: number; layer?: number; head?: number; preview?: number } = {},
): ForwardSteps {
  const c = model.config;
  const T = ids.length;
  if (T === 0) throw new Error('traceForward: no tokens');
  if (T > c.maxSeqLen) throw new Error(`${T} tokens exceed the model's window of ${c.maxSeqLen}`);
  const pos = Math.min(Math.max(opts.pos ?? T - 1, 0), T - 1);
  const nPrev = opts.preview ?? 8;
  const hd = c.dim / c.nHeads;
  const W = (name: string) => view(model.params.get(name)!);
  const steps: TraceStep[] = [];
  const rec = (name: string, kind: TraceStep['kind'], layer: number, t: Tensor) => {
    const C = t.size / T;
    steps.push({ name, kind, layer, shape: [T, C], norms: norms(t, T), preview: Array.from(t.data.subarray(pos * C, pos * C + Math.min(nPrev, C))) });
  };
  const attn: Float32Array[] = [];
  const qk: ForwardSteps['qk'] = [];
  let head: HeadMath | null = null;

  let x = embedding(W('model.embed_tokens.weight'), ids, [1, T]); // [1, T, D]
  rec('Token embeddings', 'embed', -1, x);
  for (let l = 0; l < c.nLayers; l++) {
    const n = layerNames(l);
    const h = rmsnorm(x, W(n.inNorm), c.normEps); // [1, T, D]
    rec(`L${l} · RMSNorm (before attention)`, 'norm', l, h);
    const qRaw = linear(h, W(n.q)); // [1, T, H·hd]
    const kRaw = linear(h, W(n.k)); // [1, T, Hkv·hd]
    const v = linear(h, W(n.v)); // [1, T, Hkv·hd]
    rec(`L${l} · Q = x·Wqᵀ`, 'qkv', l, qRaw);
    rec(`L${l} · K = x·Wkᵀ`, 'qkv', l, kRaw);
    rec(`L${l} · V = x·Wvᵀ`, 'qkv', l, v);
    const q = rope(qRaw, c.nHeads, c.ropeTheta); // [1, T, H·hd]
    const k = rope(kRaw, c.nKvHeads, c.ropeTheta); // [1, T, Hkv·hd]
    rec(`L${l} · RoPE(Q)`, 'rope', l, q);
    const a = attention(q, k, v, { nHeads: c.nHeads, nKvHeads: c.nKvHeads, onProbs: (p) => attn.push(p.slice(0, c.nHeads * T * T)) }); // [1, T, H·hd]
    rec(`L${l} · softmax(QKᵀ/√d)·V (${c.nHeads} heads)`, 'attention', l, a);
    qk.push({ q: q.data, k: k.data });
    if (l === opts.layer) head = headMath(q.data, k.data, T, c.nHeads, c.nKvHeads, hd, l, opts.head ?? 0, pos);
    const o = linear(a, W(n.o)); // [1, T, D]
    rec(`L${l} · output projection`, 'proj', l, o);
    x = add(x, o);
    rec(`L${l} · x + attention`, 'residual', l, x);
    const h2 = rmsnorm(x, W(n.postNorm), c.normEps); // [1, T, D]
    rec(`L${l} · RMSNorm (before feed-forward)`, 'norm', l, h2);
    const g = swiglu(linear(h2, W(n.gate)), linear(h2, W(n.up))); // [1, T, F]
    rec(`L${l} · SwiGLU: silu(x·Wgᵀ) ⊙ x·Wuᵀ`, 'ffn', l, g);
    const f = linear(g, W(n.down)); // [1, T, D]
    rec(`L${l} · down projection`, 'ffn', l, f);
    x = add(x, f);
    rec(`L${l} · x + feed-forward`, 'residual', l, x);
  }
  const xf = rmsnorm(x, W('model.norm.weight'), c.normEps); // [1, T, D]
  rec('Final RMSNorm', 'norm', c.nLayers, xf);
  const headW = c.tieEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
  const logits = linear(xf, W(headW)); // [1, T, V]
  rec('Logits = x·W_embᵀ', 'logits', c.nLayers, logits);
  const V = c.vocabSize;
  return { steps, logits: logits.data.slice(pos * V, pos * V + V), attention: attn, head, qk };
}

/** The attention arithmetic of one query position in one head, from rotated q and k. */
export function headMath(
  q: Float32Array, k: Float32Array, T: number, H: number, Hkv: number, hd: number,
  layer: number, head: number, pos: number,
): HeadMath {
  const kvHead = Math.floor((head * Hkv) / H);
  const C = H * hd, Ckv = Hkv * hd;
  const dots: number[] = [], scaled: number[] = [], masked: boolean[] = [];
  for (let j = 0; j < T; j++) {
    let s = 0;
    for (let i = 0; i < hd; i++) s += q[pos * C + head * hd + i]! * k[j * Ckv + kvHead * hd + i]!;
    dots.push(s);
    scaled.push(s / Math.sqrt(hd));
    masked.push(j > pos); // causal: a token never sees the future
  }
  const mx = Math.max(...scaled.filter((_, j) => !masked[j]));
  const e = scaled.map((s, j) => (masked[j] ? 0 : Math.exp(s - mx)));
  const z = e.reduce((a, b) => a + b, 0);
  return { layer, head, kvHead, pos, headDim: hd, dots, scaled, masked, weights: e.map((v) => v / z) };
}

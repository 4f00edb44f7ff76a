/**
 * Checkpoint formats: safetensors (weights), a Hugging Face `config.json` (LlamaForCausalLM field
 * names) and `tokenizer.json`, so a saved TinyLM loads unchanged in `transformers`. Also the
 * browser/worker loader `loadTinyLM(baseUrl)` for the shipped models in `public/models/<name>/`.
 *
 * safetensors layout: u64 little-endian header length N, N bytes of JSON header
 * ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, space-padded to a
 * multiple of 8), then the raw little-endian tensor bytes.
 */
import type { TinyLMConfig, TinyLMTensor, TinyLMWeights } from './contract';
import { TINYLM_SPECIAL_TOKENS } from './contract';
import { TinyLM, weightShapes } from './model';
import { Tokenizer } from '../tokenizer';

/** Serialises weights as safetensors (F32), in the model's canonical order when a config is given. */
export function saveSafetensors(weights: TinyLMWeights, metadata: Record<string, string> = {}, order?: string[]): Uint8Array {
  const names = order ?? [...weights.keys()];
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let off = 0;
  for (const n of names) {
    const t = weights.get(n);
    if (!t) throw new Error(`missing tensor ${n}`);
    header[n] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + t.data.length * 4] };
    off += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const hbytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hbytes.length + off);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let p = 8 + hbytes.length;
  for (const n of names) {
    const t = weights.get(n)!;
    // Float32Array is little-endian on every platform we run on; copy its bytes.
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    p += t.data.byteLength;
  }
  return out;
}

/** Parses safetensors (F32, F16 and BF16 are read into Float32Arrays). */
export function loadSafetensors(bytes: Uint8Array): { weights: TinyLMWeights; metadata: Record<string, string> } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 8) throw new Error('safetensors file is too short');
  const n = Number(dv.getBigUint64(0, true));
  if (8 + n > bytes.byteLength) throw new Error('safetensors header length is past the end of the file');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const weights: TinyLMWeights = new Map();
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = info as unknown as Record<string, string>;
      continue;
    }
    const [b, e] = info.data_offsets;
    const count = info.shape.reduce((a, x) => a * x, 1);
    const data = new Float32Array(count);
    const src = new DataView(bytes.buffer, bytes.byteOffset + base + b, e - b);
    if (info.dtype === 'F32') {
      if (e - b !== count * 4) throw new Error(`tensor ${name}: byte size does not match its shape`);
      for (let i = 0; i < count; i++) data[i] = src.getFloat32(i * 4, true);
    } else if (info.dtype === 'F16') {
      for (let i = 0; i < count; i++) data[i] = f16ToF32(src.getUint16(i * 2, true));
    } else if (info.dtype === 'BF16') {
      const tmp = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        tmp.setUint32(0, src.getUint16(i * 2, true) << 16);
        data[i] = tmp.getFloat32(0);
      }
    } else throw new Error(`tensor ${name}: unsupported dtype ${info.dtype}`);
    weights.set(name, { shape: info.shape, data } satisfies TinyLMTensor);
  }
  return { weights, metadata };
}

/** IEEE half → float. */
export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Hugging Face `config.json` for LlamaForCausalLM. */
export function toHFConfig(c: TinyLMConfig): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: c.vocabSize,
    hidden_size: c.dim,
    intermediate_size: c.ffnDim,
    num_hidden_layers: c.nLayers,
    num_attention_heads: c.nHeads,
    num_key_value_heads: c.nKvHeads,
    head_dim: c.dim / c.nHeads,
    max_position_embeddings: c.maxSeqLen,
    rms_norm_eps: c.normEps,
    rope_theta: c.ropeTheta,
    tie_word_embeddings: c.tieEmbeddings,
    hidden_act: 'silu',
    attention_bias: false,
    mlp_bias: false,
    bos_token_id: 0,
    eos_token_id: [0, 2],
    torch_dtype: 'float32',
  };
}

/** Reads a Hugging Face Llama `config.json` (object or text) into a TinyLMConfig. */
export function fromHFConfig(json: unknown): TinyLMConfig {
  const j = (typeof json === 'string' ? JSON.parse(json) : json) as Record<string, unknown>;
  const num = (k: string, d?: number) => {
    const v = j[k] ?? d;
    if (typeof v !== 'number') throw new Error(`config.json: missing number "${k}"`);
    return v;
  };
  return {
    vocabSize: num('vocab_size'),
    dim: num('hidden_size'),
    nLayers: num('num_hidden_layers'),
    nHeads: num('num_attention_heads'),
    nKvHeads: num('num_key_value_heads', num('num_attention_heads')),
    ffnDim: num('intermediate_size'),
    maxSeqLen: num('max_position_embeddings'),
    ropeTheta: num('rope_theta', 10000),
    normEps: num('rms_norm_eps', 1e-6),
    tieEmbeddings: j.tie_word_embeddings === true,
  };
}

/** The three files of a saved model, as bytes/text. */
export interface SavedModel {
  'config.json': string;
  'model.safetensors': Uint8Array;
  'tokenizer.json': string;
}

/** Serialises a model and its tokenizer into the three Hugging Face files. */
export function saveModel(model: TinyLM, tokenizer: Tokenizer, metadata: Record<string, string> = {}): SavedModel {
  return {
    'config.json': JSON.stringify(toHFConfig(model.config), null, 2) + '\n',
    'model.safetensors': saveSafetensors(model.weights, { format: 'pt', ...metadata }, weightShapes(model.config).map(([n]) => n)),
    'tokenizer.json': JSON.stringify(tokenizer.toHFJson()),
  };
}

/** Rebuilds a model and tokenizer from the three files. */
export function loadModel(files: { config: unknown; safetensors: Uint8Array; tokenizer: unknown }): { model: TinyLM; tokenizer: Tokenizer } {
  const config = fromHFConfig(files.config);
  const { weights } = loadSafetensors(files.safetensors);
  if (config.tieEmbeddings) weights.delete('lm_head.weight');
  const tokenizer = Tokenizer.fromHFJson(files.tokenizer);
  TINYLM_SPECIAL_TOKENS.forEach((s, i) => {
    if (tokenizer.specialIds.get(s) !== i) throw new Error(`tokenizer: special token ${s} must have id ${i}`);
  });
  return { model: new TinyLM(config, weights), tokenizer };
}

/**
 * Fetches `config.json`, `model.safetensors` and `tokenizer.json` from `baseUrl` (e.g.
 * `models/tinylm-chat/`) and builds the model. Works in the page and in workers.
 */
export async function loadTinyLM(baseUrl: string, fetchFn: typeof fetch = fetch): Promise<{ model: TinyLM; tokenizer: Tokenizer }> {
  const base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  const get = async (name: string) => {
    const r = await fetchFn(base + name);
    if (!r.ok) throw new Error(`Could not load ${base + name}: HTTP ${r.status}`);
    return r;
  };
  const [cfg, st, tk] = await Promise.all([get('config.json'), get('model.safetensors'), get('tokenizer.json')]);
  const [config, buf, tokenizer] = await Promise.all([cfg.json(), st.arrayBuffer(), tk.json()]);
  return loadModel({ config, safetensors: new Uint8Array(buf), tokenizer });
}

/** Names of the shipped models under `public/models/`. */
export const SHIPPED_MODELS = ['tinylm-base', 'tinylm-chat', 'tinylm-draft'] as const;

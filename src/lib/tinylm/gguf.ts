/**
 * GGUF (llama.cpp's model file format, version 3): a generic writer and reader, and the TinyLM
 * exporter that produces files llama.cpp loads as a `llama` architecture model.
 *
 * File layout (all little-endian):
 *   "GGUF" u32 version=3 · u64 tensor_count · u64 kv_count
 *   kv_count × { string key · u32 value_type · value }          (string = u64 length + UTF-8 bytes)
 *   tensor_count × { string name · u32 n_dims · u64 ne[n_dims] · u32 ggml_type · u64 offset }
 *   zero padding to `general.alignment` (32) · tensor data, each tensor at an aligned offset
 * `ne[0]` is the fastest-varying dimension, so a row-major [rows, cols] array is written with
 * ne = [cols, rows] and its bytes unchanged.
 */
import type { TinyLMConfig, TinyLMWeights } from './contract';
import { TINYLM_SPECIAL_TOKENS } from './contract';
import { bytesToByteLevel } from '../tokenizer/bytes';
import { dequantize, quantize, quantizedSize, QK, type QuantType } from './quant';

/** GGUF metadata value types (gguf.h `enum gguf_type`). */
export const GGUFValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type GGUFValueType = (typeof GGUFValueType)[keyof typeof GGUFValueType];

/** The ggml tensor types this module reads and writes (ggml.h `enum ggml_type`). */
export const GGMLType = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 } as const;
export type GGMLType = (typeof GGMLType)[keyof typeof GGMLType];

const GGML_TYPE_OF: Record<QuantType, GGMLType> = { f32: 0, f16: 1, q4_0: 2, q8_0: 8 };
const QUANT_OF: Record<number, QuantType> = { 0: 'f32', 1: 'f16', 2: 'q4_0', 8: 'q8_0' };

/** `general.file_type` (llama.h `enum llama_ftype`) for each export type. */
const FILE_TYPE: Record<QuantType, number> = { f32: 0, f16: 1, q4_0: 2, q8_0: 7 };

/** llama.cpp token types (`enum llama_token_type`). */
export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** A typed metadata value; numbers keep their GGUF type so llama.cpp's strict checks pass. */
export type GGUFValue =
  | { type: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 10 | 11 | 12; value: number }
  | { type: 7; value: boolean }
  | { type: 8; value: string }
  | { type: 9; itemType: GGUFValueType; value: Array<number | string | boolean> };

/** Shorthands for metadata values. */
export const gv = {
  u32: (value: number): GGUFValue => ({ type: GGUFValueType.UINT32, value }),
  i32: (value: number): GGUFValue => ({ type: GGUFValueType.INT32, value }),
  f32: (value: number): GGUFValue => ({ type: GGUFValueType.FLOAT32, value }),
  bool: (value: boolean): GGUFValue => ({ type: GGUFValueType.BOOL, value }),
  str: (value: string): GGUFValue => ({ type: GGUFValueType.STRING, value }),
  strings: (value: string[]): GGUFValue => ({ type: GGUFValueType.ARRAY, itemType: GGUFValueType.STRING, value }),
  i32s: (value: number[]): GGUFValue => ({ type: GGUFValueType.ARRAY, itemType: GGUFValueType.INT32, value }),
};

/** A tensor to write: `shape` is row-major (outermost first); `data` is already encoded in `type`. */
export interface GGUFTensorIn {
  name: string;
  shape: number[];
  type: GGMLType;
  data: Uint8Array;
}

/** A tensor read back: `ne` as stored (innermost first), `data` a view into the file. */
export interface GGUFTensorOut {
  name: string;
  ne: number[];
  type: GGMLType;
  offset: number; // relative to the start of the data section
  data: Uint8Array;
}

export interface GGUFFile {
  version: number;
  alignment: number;
  metadata: Map<string, GGUFValue>;
  tensors: GGUFTensorOut[];
  dataOffset: number; // absolute offset of the tensor data section
}

const SCALAR_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** Growable little-endian byte writer. */
class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }
  u64(v: number): void {
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  scalar(type: number, v: number | boolean): void {
    const n = SCALAR_SIZE[type];
    this.reserve(n);
    const o = this.length;
    const x = Number(v);
    switch (type) {
      case 0: this.view.setUint8(o, x); break;
      case 1: this.view.setInt8(o, x); break;
      case 2: this.view.setUint16(o, x, true); break;
      case 3: this.view.setInt16(o, x, true); break;
      case 4: this.view.setUint32(o, x, true); break;
      case 5: this.view.setInt32(o, x, true); break;
      case 6: this.view.setFloat32(o, x, true); break;
      case 7: this.view.setUint8(o, x ? 1 : 0); break;
      case 10: this.view.setBigUint64(o, BigInt(x), true); break;
      case 11: this.view.setBigInt64(o, BigInt(x), true); break;
      case 12: this.view.setFloat64(o, x, true); break;
      default: throw new TypeError(`not a scalar GGUF type: ${type}`);
    }
    this.length += n;
  }
  string(s: string): void {
    this.bytes(utf8.encode(s), true);
  }
  bytes(b: Uint8Array, withLength = false): void {
    if (withLength) this.u64(b.length);
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  padTo(alignment: number): void {
    const pad = (alignment - (this.length % alignment)) % alignment;
    this.reserve(pad);
    this.buf.fill(0, this.length, this.length + pad);
    this.length += pad;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function align(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

/** Serializes metadata and tensors as a GGUF v3 file. Metadata order is kept. */
export function writeGGUF(metadata: Array<[string, GGUFValue]>, tensors: GGUFTensorIn[]): Uint8Array {
  const alignEntry = metadata.find(([k]) => k === 'general.alignment');
  const alignment = alignEntry ? Number(alignEntry[1].value) : 32;
  const w = new ByteWriter();
  w.bytes(utf8.encode('GGUF'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(metadata.length);
  for (const [key, v] of metadata) {
    w.string(key);
    w.u32(v.type);
    if (v.type === GGUFValueType.STRING) w.string(v.value);
    else if (v.type === GGUFValueType.ARRAY) {
      w.u32(v.itemType);
      w.u64(v.value.length);
      for (const item of v.value) {
        if (v.itemType === GGUFValueType.STRING) w.string(item as string);
        else w.scalar(v.itemType, item as number | boolean);
      }
    } else w.scalar(v.type, v.value);
  }
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const expected = quantizedSize(QUANT_OF[t.type], n);
    if (t.data.length !== expected) {
      throw new RangeError(`tensor ${t.name}: ${t.data.length} bytes, expected ${expected}`);
    }
    w.string(t.name);
    w.u32(t.shape.length);
    for (const d of [...t.shape].reverse()) w.u64(d); // ne: innermost dimension first
    w.u32(t.type);
    w.u64(offset);
    offset = align(offset + t.data.length, alignment);
  }
  w.padTo(alignment);
  for (const t of tensors) {
    w.bytes(t.data);
    w.padTo(alignment);
  }
  return w.result();
}

/** Parses a GGUF v2/v3 file (tensor data returned as views, not copies). */
export function readGGUF(bytes: Uint8Array): GGUFFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const u32 = () => ((p += 4), view.getUint32(p - 4, true));
  const u64 = () => ((p += 8), Number(view.getBigUint64(p - 8, true)));
  const str = () => {
    const n = u64();
    if (p + n > bytes.length) throw new RangeError('GGUF: string runs past the end of the file');
    p += n;
    return utf8Decoder.decode(bytes.subarray(p - n, p));
  };
  const scalar = (type: number): number | boolean => {
    const o = p;
    p += SCALAR_SIZE[type] ?? 0;
    switch (type) {
      case 0: return view.getUint8(o);
      case 1: return view.getInt8(o);
      case 2: return view.getUint16(o, true);
      case 3: return view.getInt16(o, true);
      case 4: return view.getUint32(o, true);
      case 5: return view.getInt32(o, true);
      case 6: return view.getFloat32(o, true);
      case 7: return view.getUint8(o) !== 0;
      case 10: return Number(view.getBigUint64(o, true));
      case 11: return Number(view.getBigInt64(o, true));
      case 12: return view.getFloat64(o, true);
      default: throw new TypeError(`GGUF: unknown value type ${type}`);
    }
  };
  if (utf8Decoder.decode(bytes.subarray(0, 4)) !== 'GGUF') throw new TypeError('not a GGUF file (bad magic)');
  p = 4;
  const version = u32();
  if (version < 2 || version > 3) throw new TypeError(`GGUF version ${version} is not supported`);
  const nTensors = u64();
  const nKV = u64();
  const metadata = new Map<string, GGUFValue>();
  for (let i = 0; i < nKV; i++) {
    const key = str();
    const type = u32();
    if (type === GGUFValueType.STRING) metadata.set(key, { type, value: str() });
    else if (type === GGUFValueType.ARRAY) {
      const itemType = u32() as GGUFValueType;
      const n = u64();
      const value: Array<number | string | boolean> = new Array(n);
      for (let j = 0; j < n; j++) value[j] = itemType === GGUFValueType.STRING ? str() : scalar(itemType);
      metadata.set(key, { type, itemType, value });
    } else metadata.set(key, { type, value: scalar(type) } as GGUFValue);
  }
  const alignment = Number(metadata.get('general.alignment')?.value ?? 32);
  const infos: Array<{ name: string; ne: number[]; type: GGMLType; offset: number }> = [];
  for (let i = 0; i < nTensors; i++) {
    const name = str();
    const nDims = u32();
    const ne: number[] = [];
    for (let d = 0; d < nDims; d++) ne.push(u64());
    const type = u32() as GGMLType;
    infos.push({ name, ne, type, offset: u64() });
  }
  const dataOffset = align(p, alignment);
  const tensors = infos.map((t) => {
    const quant = QUANT_OF[t.type];
    if (!quant) throw new TypeError(`GGUF: tensor ${t.name} has unsupported ggml type ${t.type}`);
    const n = t.ne.reduce((a, b) => a * b, 1);
    const start = dataOffset + t.offset;
    const end = start + quantizedSize(quant, n);
    if (end > bytes.length) throw new RangeError(`GGUF: tensor ${t.name} runs past the end of the file`);
    return { ...t, data: bytes.subarray(start, end) };
  });
  return { version, alignment, metadata, tensors, dataOffset };
}

/** Decodes a tensor read by `readGGUF` to float32, in its stored (row-major, ne reversed) order. */
export function ggufTensorToFloat32(t: GGUFTensorOut): Float32Array {
  return dequantize(QUANT_OF[t.type], t.data, t.ne.reduce((a, b) => a * b, 1));
}

// ---------------------------------------------------------------------------------------------
// TinyLM → llama.cpp

/** What the exporter needs from a byte-level BPE tokenizer (CS336-style ids and merges). */
export interface GGUFTokenizerSource {
  /** id → token bytes; special tokens as their UTF-8 text. */
  vocab: Map<number, Uint8Array>;
  /** Merges in rank order. */
  merges: Array<[Uint8Array, Uint8Array]>;
  /** Special tokens (default: TINYLM_SPECIAL_TOKENS). */
  specialTokens?: readonly string[];
}

/** Token bytes → the GPT-2 byte-level string llama.cpp's `gpt2` vocabulary expects (the tokenizer's one table). */
export const bytesToTokenString = bytesToByteLevel;

/** The ChatML template of contract.ts in Jinja, so llama.cpp's chat endpoints format prompts like us. */
export const CHATML_JINJA =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/**
 * Hugging Face rotate-half → llama.cpp adjacent-pair rotary layout, per head (what llama.cpp's
 * convert_hf_to_gguf.py `permute` does): within each head of size d, output row 2i + j is input
 * row j·d/2 + i (i < d/2, j ∈ {0, 1}).  w: [nHeads·d, cols] row-major.
 */
export function permuteRotaryRows(w: Float32Array, nHeads: number, cols: number, inverse = false): Float32Array {
  const rows = w.length / cols;
  const d = rows / nHeads;
  if (!Number.isInteger(d) || d % 2 !== 0) throw new RangeError(`bad rotary head size ${d}`);
  const out = new Float32Array(w.length);
  for (let h = 0; h < nHeads; h++) {
    for (let i = 0; i < d / 2; i++) {
      for (let j = 0; j < 2; j++) {
        let src = (h * d + j * (d / 2) + i) * cols;
        let dst = (h * d + 2 * i + j) * cols;
        if (inverse) [src, dst] = [dst, src];
        out.set(w.subarray(src, src + cols), dst);
      }
    }
  }
  return out;
}

function tokenizerMetadata(config: TinyLMConfig, tok: GGUFTokenizerSource, addBos: boolean): Array<[string, GGUFValue]> {
  const specials = tok.specialTokens ?? TINYLM_SPECIAL_TOKENS;
  const specialSet = new Set(specials);
  const tokens: string[] = [];
  const types: number[] = [];
  const idOf = new Map<string, number>();
  for (let id = 0; id < config.vocabSize; id++) {
    const bytes = tok.vocab.get(id);
    const text = bytes ? utf8Decoder.decode(bytes) : '';
    if (bytes && specialSet.has(text)) {
      tokens.push(text); // control tokens keep their literal text
      types.push(TokenType.CONTROL);
      idOf.set(text, id);
    } else if (bytes) {
      tokens.push(bytesToTokenString(bytes));
      types.push(TokenType.NORMAL);
    } else {
      tokens.push(`[PAD${id}]`); // embedding rows beyond the tokenizer's vocabulary
      types.push(TokenType.UNUSED);
    }
  }
  if (tok.vocab.size > config.vocabSize) {
    throw new RangeError(`tokenizer has ${tok.vocab.size} tokens, model vocab is ${config.vocabSize}`);
  }
  const merges = tok.merges.map(([a, b]) => `${bytesToTokenString(a)} ${bytesToTokenString(b)}`);
  const eos = idOf.get('<|endoftext|>') ?? 0;
  const meta: Array<[string, GGUFValue]> = [
    ['tokenizer.ggml.model', gv.str('gpt2')],
    ['tokenizer.ggml.pre', gv.str('gpt-2')],
    ['tokenizer.ggml.tokens', gv.strings(tokens)],
    ['tokenizer.ggml.token_type', gv.i32s(types)],
    ['tokenizer.ggml.merges', gv.strings(merges)],
    ['tokenizer.ggml.bos_token_id', gv.u32(eos)],
    ['tokenizer.ggml.eos_token_id', gv.u32(eos)],
    ['tokenizer.ggml.padding_token_id', gv.u32(eos)],
    // Whether llama.cpp puts <|endoftext|> before a prompt: it must match what the model saw in training.
    ['tokenizer.ggml.add_bos_token', gv.bool(addBos)],
    ['tokenizer.ggml.add_eos_token', gv.bool(false)],
  ];
  const imEnd = idOf.get('<|im_end|>');
  if (imEnd !== undefined) meta.push(['tokenizer.ggml.eot_token_id', gv.u32(imEnd)]);
  if (idOf.has('<|im_start|>') && imEnd !== undefined) meta.push(['tokenizer.chat_template', gv.str(CHATML_JINJA)]);
  return meta;
}

const LAYER_PARTS: Record<string, string> = {
  input_layernorm: 'attn_norm',
  'self_attn.q_proj': 'attn_q',
  'self_attn.k_proj': 'attn_k',
  'self_attn.v_proj': 'attn_v',
  'self_attn.o_proj': 'attn_output',
  post_attention_layernorm: 'ffn_norm',
  'mlp.gate_proj': 'ffn_gate',
  'mlp.up_proj': 'ffn_up',
  'mlp.down_proj': 'ffn_down',
};

/** HF Llama weight name → llama.cpp tensor name. */
export function ggufName(hf: string): string | null {
  if (hf === 'model.embed_tokens.weight') return 'token_embd.weight';
  if (hf === 'model.norm.weight') return 'output_norm.weight';
  if (hf === 'lm_head.weight') return 'output.weight';
  const m = /^model\.layers\.(\d+)\.(.+)\.weight$/.exec(hf);
  if (!m) return null;
  return LAYER_PARTS[m[2]] ? `blk.${m[1]}.${LAYER_PARTS[m[2]]}.weight` : null;
}

/** Storage type of one tensor: norms (1-D) stay F32; quantized types need rows of 32k values. */
export function tensorStorageType(shape: number[], type: QuantType): QuantType {
  if (shape.length < 2 || type === 'f32') return 'f32';
  if (type === 'f16') return 'f16';
  return shape[shape.length - 1] % QK === 0 ? type : 'f16';
}

/**
 * True for models that read plain text after <|endoftext|>: base and draft were trained on
 * stories each preceded by it (`storiesToTokens`), so `npm run tinylm -- generate` prepends it;
 * chat models read ChatML (`<|im_start|>…`) with nothing before it.
 */
export function readsTextAfterEndOfText(modelName: string): boolean {
  return !modelName.includes('chat');
}

/**
 * Exports a TinyLM model as a GGUF file llama.cpp runs as `llama`: Q/K rows permuted to its
 * adjacent-pair rotary convention, norms in F32, 2-D weights in `type` (F16 for rows that are not
 * a multiple of 32 in quantized files). `addBos`: llama.cpp prepends <|endoftext|> to every
 * prompt (true for models trained that way, see `readsTextAfterEndOfText`).
 */
export function exportGGUF(
  config: TinyLMConfig,
  weights: TinyLMWeights,
  tokenizer: GGUFTokenizerSource,
  type: QuantType,
  name = 'TinyLM',
  addBos = false,
): Uint8Array {
  const headDim = config.dim / config.nHeads;
  const metadata: Array<[string, GGUFValue]> = [
    ['general.architecture', gv.str('llama')],
    ['general.name', gv.str(name)],
    ['general.file_type', gv.u32(FILE_TYPE[type])],
    ['general.alignment', gv.u32(32)],
    ['llama.vocab_size', gv.u32(config.vocabSize)],
    ['llama.context_length', gv.u32(config.maxSeqLen)],
    ['llama.embedding_length', gv.u32(config.dim)],
    ['llama.block_count', gv.u32(config.nLayers)],
    ['llama.feed_forward_length', gv.u32(config.ffnDim)],
    ['llama.attention.head_count', gv.u32(config.nHeads)],
    ['llama.attention.head_count_kv', gv.u32(config.nKvHeads)],
    ['llama.attention.key_length', gv.u32(headDim)],
    ['llama.attention.value_length', gv.u32(headDim)],
    ['llama.rope.dimension_count', gv.u32(headDim)],
    ['llama.rope.freq_base', gv.f32(config.ropeTheta)],
    ['llama.attention.layer_norm_rms_epsilon', gv.f32(config.normEps)],
  ];
  if (type === 'q8_0' || type === 'q4_0') metadata.push(['general.quantization_version', gv.u32(2)]);
  metadata.push(...tokenizerMetadata(config, tokenizer, addBos));

  // llama.cpp's conventional order: embeddings, then each block, then final norm and head.
  const order = ['model.embed_tokens.weight'];
  for (let i = 0; i < config.nLayers; i++) {
    for (const part of ['input_layernorm', 'self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj',
      'self_attn.o_proj', 'post_attention_layernorm', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj']) {
      order.push(`model.layers.${i}.${part}.weight`);
    }
  }
  order.push('model.norm.weight');
  if (!config.tieEmbeddings) order.push('lm_head.weight'); // tied: llama.cpp reuses token_embd

  const tensors: GGUFTensorIn[] = order.map((hf) => {
    const t = weights.get(hf);
    if (!t) throw new RangeError(`missing weight ${hf}`);
    const gname = ggufName(hf)!;
    let data = t.data;
    if (hf.endsWith('q_proj.weight')) data = permuteRotaryRows(data, config.nHeads, config.dim);
    if (hf.endsWith('k_proj.weight')) data = permuteRotaryRows(data, config.nKvHeads, config.dim);
    const st = tensorStorageType(t.shape, type);
    return { name: gname, shape: t.shape, type: GGML_TYPE_OF[st], data: quantize(st, data) };
  });
  return writeGGUF(metadata, tensors);
}

/** llama.cpp tensor name → HF Llama weight name. */
function hfName(gguf: string): string | null {
  if (gguf === 'token_embd.weight') return 'model.embed_tokens.weight';
  if (gguf === 'output_norm.weight') return 'model.norm.weight';
  if (gguf === 'output.weight') return 'lm_head.weight';
  const m = /^blk\.(\d+)\.(\w+)\.weight$/.exec(gguf);
  const part = m && Object.keys(LAYER_PARTS).find((k) => LAYER_PARTS[k] === m[2]);
  return part ? `model.layers.${m![1]}.${part}.weight` : null;
}

/**
 * Reads a llama-architecture GGUF back into a TinyLM config and HF-named float32 weights
 * (dequantized, Q/K rows permuted back to rotate-half): the inverse of `exportGGUF`.
 */
export function importGGUF(bytes: Uint8Array): { config: TinyLMConfig; weights: TinyLMWeights; tokens: string[] } {
  const file = readGGUF(bytes);
  const meta = (k: string) => {
    const v = file.metadata.get(k);
    if (!v) throw new RangeError(`GGUF: missing metadata ${k}`);
    return v.value;
  };
  if (meta('general.architecture') !== 'llama') throw new TypeError(`GGUF: architecture ${meta('general.architecture')} is not llama`);
  const tokens = (file.metadata.get('tokenizer.ggml.tokens')?.value ?? []) as string[];
  const embd = file.tensors.find((t) => t.name === 'token_embd.weight');
  if (!embd) throw new RangeError('GGUF: no token_embd.weight');
  const config: TinyLMConfig = {
    vocabSize: embd.ne[1],
    dim: Number(meta('llama.embedding_length')),
    nLayers: Number(meta('llama.block_count')),
    nHeads: Number(meta('llama.attention.head_count')),
    nKvHeads: Number(file.metadata.get('llama.attention.head_count_kv')?.value ?? meta('llama.attention.head_count')),
    ffnDim: Number(meta('llama.feed_forward_length')),
    maxSeqLen: Number(meta('llama.context_length')),
    ropeTheta: Number(file.metadata.get('llama.rope.freq_base')?.value ?? 10000),
    normEps: Number(meta('llama.attention.layer_norm_rms_epsilon')),
    tieEmbeddings: !file.tensors.some((t) => t.name === 'output.weight'),
  };
  const weights: TinyLMWeights = new Map();
  for (const t of file.tensors) {
    const name = hfName(t.name);
    if (!name) continue;
    let data = ggufTensorToFloat32(t);
    if (name.endsWith('q_proj.weight')) data = permuteRotaryRows(data, config.nHeads, config.dim, true);
    if (name.endsWith('k_proj.weight')) data = permuteRotaryRows(data, config.nKvHeads, config.dim, true);
    weights.set(name, { shape: [...t.ne].reverse(), data });
  }
  return { config, weights, tokens };
}

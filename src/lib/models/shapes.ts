/**
 * Real architecture shapes of the models the lab can run, for the context-window calculator.
 *
 * web-llm's `prebuiltAppConfig.model_list` gives ids, VRAM estimates and context sizes but no
 * layer counts, so we keep our own small table. Every row is copied from the model's Hugging
 * Face `config.json` (field names in brackets below) and the parameter count from its model
 * card; the source is cited beside each row. Framework-free.
 */

export interface ModelShape {
  /** Base name as it appears at the start of web-llm ids (`Qwen2.5-0.5B-Instruct`). */
  id: string;
  displayName: string;
  /** Total parameters (published figure; tied embeddings counted once). */
  params: number;
  /** [num_hidden_layers] */
  layers: number;
  /** [hidden_size] */
  hidden: number;
  /** [num_attention_heads] */
  heads: number;
  /** [num_key_value_heads]: fewer than `heads` means grouped-query attention. */
  kvHeads: number;
  /** [head_dim] or hidden_size / num_attention_heads */
  headDim: number;
  /** [intermediate_size] of the (gated) feed-forward. */
  ffn: number;
  /** [vocab_size] */
  vocab: number;
  /** [max_position_embeddings]: what the model was trained for. */
  maxContext: number;
  /** [tie_word_embeddings] */
  tied: boolean;
  /** Where the numbers come from. */
  source: string;
}

const hf = (repo: string) => `https://huggingface.co/${repo}/blob/main/config.json`;

/** Shapes of the model families web-llm ships prebuilt (one row per architecture). */
export const MODEL_SHAPES: readonly ModelShape[] = [
  // https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct — 135M params
  { id: 'SmolLM2-135M-Instruct', displayName: 'SmolLM2 135M', params: 134.5e6, layers: 30, hidden: 576, heads: 9, kvHeads: 3, headDim: 64, ffn: 1536, vocab: 49152, maxContext: 8192, tied: true, source: hf('HuggingFaceTB/SmolLM2-135M-Instruct') },
  // https://huggingface.co/HuggingFaceTB/SmolLM2-360M-Instruct — 362M params
  { id: 'SmolLM2-360M-Instruct', displayName: 'SmolLM2 360M', params: 361.8e6, layers: 32, hidden: 960, heads: 15, kvHeads: 5, headDim: 64, ffn: 2560, vocab: 49152, maxContext: 8192, tied: true, source: hf('HuggingFaceTB/SmolLM2-360M-Instruct') },
  // https://huggingface.co/HuggingFaceTB/SmolLM2-1.7B-Instruct — 1.71B params
  { id: 'SmolLM2-1.7B-Instruct', displayName: 'SmolLM2 1.7B', params: 1.711e9, layers: 24, hidden: 2048, heads: 32, kvHeads: 32, headDim: 64, ffn: 8192, vocab: 49152, maxContext: 8192, tied: true, source: hf('HuggingFaceTB/SmolLM2-1.7B-Instruct') },
  // https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct — 0.49B params
  { id: 'Qwen2.5-0.5B-Instruct', displayName: 'Qwen2.5 0.5B', params: 0.494e9, layers: 24, hidden: 896, heads: 14, kvHeads: 2, headDim: 64, ffn: 4864, vocab: 151936, maxContext: 32768, tied: true, source: hf('Qwen/Qwen2.5-0.5B-Instruct') },
  // https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct — 1.54B params
  { id: 'Qwen2.5-1.5B-Instruct', displayName: 'Qwen2.5 1.5B', params: 1.54e9, layers: 28, hidden: 1536, heads: 12, kvHeads: 2, headDim: 128, ffn: 8960, vocab: 151936, maxContext: 32768, tied: true, source: hf('Qwen/Qwen2.5-1.5B-Instruct') },
  // https://huggingface.co/Qwen/Qwen2.5-3B-Instruct — 3.09B params
  { id: 'Qwen2.5-3B-Instruct', displayName: 'Qwen2.5 3B', params: 3.09e9, layers: 36, hidden: 2048, heads: 16, kvHeads: 2, headDim: 128, ffn: 11008, vocab: 151936, maxContext: 32768, tied: true, source: hf('Qwen/Qwen2.5-3B-Instruct') },
  // https://huggingface.co/Qwen/Qwen2.5-7B-Instruct — 7.61B params
  { id: 'Qwen2.5-7B-Instruct', displayName: 'Qwen2.5 7B', params: 7.61e9, layers: 28, hidden: 3584, heads: 28, kvHeads: 4, headDim: 128, ffn: 18944, vocab: 152064, maxContext: 32768, tied: false, source: hf('Qwen/Qwen2.5-7B-Instruct') },
  // https://huggingface.co/Qwen/Qwen3-0.6B — 0.6B params
  { id: 'Qwen3-0.6B', displayName: 'Qwen3 0.6B', params: 0.596e9, layers: 28, hidden: 1024, heads: 16, kvHeads: 8, headDim: 128, ffn: 3072, vocab: 151936, maxContext: 40960, tied: true, source: hf('Qwen/Qwen3-0.6B') },
  // https://huggingface.co/Qwen/Qwen3-1.7B — 1.7B params
  { id: 'Qwen3-1.7B', displayName: 'Qwen3 1.7B', params: 1.72e9, layers: 28, hidden: 2048, heads: 16, kvHeads: 8, headDim: 128, ffn: 6144, vocab: 151936, maxContext: 40960, tied: true, source: hf('Qwen/Qwen3-1.7B') },
  // https://huggingface.co/Qwen/Qwen3-4B — 4.0B params
  { id: 'Qwen3-4B', displayName: 'Qwen3 4B', params: 4.02e9, layers: 36, hidden: 2560, heads: 32, kvHeads: 8, headDim: 128, ffn: 9728, vocab: 151936, maxContext: 40960, tied: true, source: hf('Qwen/Qwen3-4B') },
  // https://huggingface.co/Qwen/Qwen3-8B — 8.2B params
  { id: 'Qwen3-8B', displayName: 'Qwen3 8B', params: 8.19e9, layers: 36, hidden: 4096, heads: 32, kvHeads: 8, headDim: 128, ffn: 12288, vocab: 151936, maxContext: 40960, tied: false, source: hf('Qwen/Qwen3-8B') },
  // https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct — 1.24B params
  { id: 'Llama-3.2-1B-Instruct', displayName: 'Llama 3.2 1B', params: 1.236e9, layers: 16, hidden: 2048, heads: 32, kvHeads: 8, headDim: 64, ffn: 8192, vocab: 128256, maxContext: 131072, tied: true, source: hf('meta-llama/Llama-3.2-1B-Instruct') },
  // https://huggingface.co/meta-llama/Llama-3.2-3B-Instruct — 3.21B params
  { id: 'Llama-3.2-3B-Instruct', displayName: 'Llama 3.2 3B', params: 3.213e9, layers: 28, hidden: 3072, heads: 24, kvHeads: 8, headDim: 128, ffn: 8192, vocab: 128256, maxContext: 131072, tied: true, source: hf('meta-llama/Llama-3.2-3B-Instruct') },
  // https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct — 8.03B params
  { id: 'Llama-3.1-8B-Instruct', displayName: 'Llama 3.1 8B', params: 8.03e9, layers: 32, hidden: 4096, heads: 32, kvHeads: 8, headDim: 128, ffn: 14336, vocab: 128256, maxContext: 131072, tied: false, source: hf('meta-llama/Llama-3.1-8B-Instruct') },
  // https://huggingface.co/meta-llama/Llama-3.1-70B-Instruct — 70.6B params
  { id: 'Llama-3.1-70B-Instruct', displayName: 'Llama 3.1 70B', params: 70.55e9, layers: 80, hidden: 8192, heads: 64, kvHeads: 8, headDim: 128, ffn: 28672, vocab: 128256, maxContext: 131072, tied: false, source: hf('meta-llama/Llama-3.1-70B-Instruct') },
  // https://huggingface.co/meta-llama/Llama-2-7b-chat-hf — 6.74B params, no GQA
  { id: 'Llama-2-7b-chat-hf', displayName: 'Llama 2 7B', params: 6.74e9, layers: 32, hidden: 4096, heads: 32, kvHeads: 32, headDim: 128, ffn: 11008, vocab: 32000, maxContext: 4096, tied: false, source: hf('meta-llama/Llama-2-7b-chat-hf') },
  // https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.3 — 7.25B params
  { id: 'Mistral-7B-Instruct-v0.3', displayName: 'Mistral 7B v0.3', params: 7.25e9, layers: 32, hidden: 4096, heads: 32, kvHeads: 8, headDim: 128, ffn: 14336, vocab: 32768, maxContext: 32768, tied: false, source: hf('mistralai/Mistral-7B-Instruct-v0.3') },
  // https://huggingface.co/microsoft/Phi-3.5-mini-instruct — 3.82B params, no GQA
  { id: 'Phi-3.5-mini-instruct', displayName: 'Phi-3.5 mini', params: 3.82e9, layers: 32, hidden: 3072, heads: 32, kvHeads: 32, headDim: 96, ffn: 8192, vocab: 32064, maxContext: 131072, tied: false, source: hf('microsoft/Phi-3.5-mini-instruct') },
  // https://huggingface.co/microsoft/Phi-3-mini-4k-instruct — 3.82B params
  { id: 'Phi-3-mini-4k-instruct', displayName: 'Phi-3 mini 4k', params: 3.82e9, layers: 32, hidden: 3072, heads: 32, kvHeads: 32, headDim: 96, ffn: 8192, vocab: 32064, maxContext: 4096, tied: false, source: hf('microsoft/Phi-3-mini-4k-instruct') },
  // https://huggingface.co/google/gemma-2-2b-it — 2.61B params, head_dim 256
  { id: 'gemma-2-2b-it', displayName: 'Gemma 2 2B', params: 2.61e9, layers: 26, hidden: 2304, heads: 8, kvHeads: 4, headDim: 256, ffn: 9216, vocab: 256000, maxContext: 8192, tied: true, source: hf('google/gemma-2-2b-it') },
  // https://huggingface.co/google/gemma-2-9b-it — 9.24B params
  { id: 'gemma-2-9b-it', displayName: 'Gemma 2 9B', params: 9.24e9, layers: 42, hidden: 3584, heads: 16, kvHeads: 8, headDim: 256, ffn: 14336, vocab: 256000, maxContext: 8192, tied: true, source: hf('google/gemma-2-9b-it') },
  // https://huggingface.co/TinyLlama/TinyLlama-1.1B-Chat-v1.0 — 1.1B params
  { id: 'TinyLlama-1.1B-Chat-v1.0', displayName: 'TinyLlama 1.1B', params: 1.1e9, layers: 22, hidden: 2048, heads: 32, kvHeads: 4, headDim: 64, ffn: 5632, vocab: 32000, maxContext: 2048, tied: false, source: hf('TinyLlama/TinyLlama-1.1B-Chat-v1.0') },
];

/**
 * Fine-tunes and older releases that share an architecture with a row above (same config.json
 * shapes apart from the listed overrides), so their web-llm builds get a shape too.
 */
const ALIASES: ReadonlyArray<{ prefix: string; of: string; override?: Partial<ModelShape>; source: string }> = [
  // Qwen2 and Qwen2.5 share shapes at 0.5B/1.5B/7B; Coder/Math are fine-tunes of the same bases.
  { prefix: 'Qwen2-0.5B-Instruct', of: 'Qwen2.5-0.5B-Instruct', source: hf('Qwen/Qwen2-0.5B-Instruct') },
  { prefix: 'Qwen2-1.5B-Instruct', of: 'Qwen2.5-1.5B-Instruct', source: hf('Qwen/Qwen2-1.5B-Instruct') },
  { prefix: 'Qwen2-Math-1.5B-Instruct', of: 'Qwen2.5-1.5B-Instruct', source: hf('Qwen/Qwen2-Math-1.5B-Instruct') },
  { prefix: 'Qwen2-7B-Instruct', of: 'Qwen2.5-7B-Instruct', source: hf('Qwen/Qwen2-7B-Instruct') },
  { prefix: 'Qwen2-Math-7B-Instruct', of: 'Qwen2.5-7B-Instruct', source: hf('Qwen/Qwen2-Math-7B-Instruct') },
  { prefix: 'Qwen2.5-Coder-0.5B-Instruct', of: 'Qwen2.5-0.5B-Instruct', source: hf('Qwen/Qwen2.5-Coder-0.5B-Instruct') },
  { prefix: 'Qwen2.5-Coder-1.5B-Instruct', of: 'Qwen2.5-1.5B-Instruct', source: hf('Qwen/Qwen2.5-Coder-1.5B-Instruct') },
  { prefix: 'Qwen2.5-Math-1.5B-Instruct', of: 'Qwen2.5-1.5B-Instruct', source: hf('Qwen/Qwen2.5-Math-1.5B-Instruct') },
  { prefix: 'Qwen2.5-Coder-3B-Instruct', of: 'Qwen2.5-3B-Instruct', source: hf('Qwen/Qwen2.5-Coder-3B-Instruct') },
  { prefix: 'Qwen2.5-Coder-7B-Instruct', of: 'Qwen2.5-7B-Instruct', source: hf('Qwen/Qwen2.5-Coder-7B-Instruct') },
  { prefix: 'DeepSeek-R1-Distill-Qwen-7B', of: 'Qwen2.5-7B-Instruct', override: { maxContext: 131072 }, source: hf('deepseek-ai/DeepSeek-R1-Distill-Qwen-7B') },
  // Llama 3 8B fine-tunes: same shapes as Llama 3.1 8B; Llama 3 itself was trained for 8k.
  { prefix: 'Llama-3-8B-Instruct', of: 'Llama-3.1-8B-Instruct', override: { maxContext: 8192 }, source: hf('meta-llama/Meta-Llama-3-8B-Instruct') },
  { prefix: 'Hermes-2-Pro-Llama-3-8B', of: 'Llama-3.1-8B-Instruct', override: { maxContext: 8192 }, source: hf('NousResearch/Hermes-2-Pro-Llama-3-8B') },
  { prefix: 'Hermes-2-Theta-Llama-3-8B', of: 'Llama-3.1-8B-Instruct', override: { maxContext: 8192 }, source: hf('NousResearch/Hermes-2-Theta-Llama-3-8B') },
  { prefix: 'Hermes-3-Llama-3.1-8B', of: 'Llama-3.1-8B-Instruct', source: hf('NousResearch/Hermes-3-Llama-3.1-8B') },
  { prefix: 'DeepSeek-R1-Distill-Llama-8B', of: 'Llama-3.1-8B-Instruct', source: hf('deepseek-ai/DeepSeek-R1-Distill-Llama-8B') },
  { prefix: 'Hermes-3-Llama-3.2-3B', of: 'Llama-3.2-3B-Instruct', source: hf('NousResearch/Hermes-3-Llama-3.2-3B') },
  { prefix: 'Llama-3-70B-Instruct', of: 'Llama-3.1-70B-Instruct', override: { maxContext: 8192 }, source: hf('meta-llama/Meta-Llama-3-70B-Instruct') },
  // Mistral 7B v0.2 differs from v0.3 only by its 32,000-token vocabulary.
  { prefix: 'Mistral-7B-Instruct-v0.2', of: 'Mistral-7B-Instruct-v0.3', override: { vocab: 32000, params: 7.24e9 }, source: hf('mistralai/Mistral-7B-Instruct-v0.2') },
  { prefix: 'gemma-2-2b-jpn-it', of: 'gemma-2-2b-it', source: hf('google/gemma-2-2b-jpn-it') },
  { prefix: 'TinyLlama-1.1B-Chat-v0.4', of: 'TinyLlama-1.1B-Chat-v1.0', source: hf('TinyLlama/TinyLlama-1.1B-Chat-v0.4') },
];

const matches = (modelId: string, prefix: string) => modelId === prefix || modelId.startsWith(prefix + '-');

/** Finds the shape of a web-llm model id (`Qwen2.5-0.5B-Instruct-q4f16_1-MLC`) by its base name. */
export function shapeForModelId(modelId: string): ModelShape | undefined {
  // Longest matching prefix wins, so `Phi-3.5-mini-instruct` never matches a shorter name.
  let best: { len: number; shape: ModelShape } | undefined;
  for (const s of MODEL_SHAPES) {
    if (matches(modelId, s.id) && (!best || s.id.length > best.len)) best = { len: s.id.length, shape: s };
  }
  for (const a of ALIASES) {
    if (!matches(modelId, a.prefix) || (best && a.prefix.length <= best.len)) continue;
    const base = MODEL_SHAPES.find((s) => s.id === a.of);
    if (base) best = { len: a.prefix.length, shape: { ...base, ...a.override, id: a.prefix, displayName: a.prefix, source: a.source } };
  }
  return best?.shape;
}

/** The fields of a TinyLM / Hugging Face Llama config the calculator needs. */
export interface LlamaLikeConfig {
  vocabSize: number;
  dim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  ffnDim: number;
  maxSeqLen: number;
  tieEmbeddings: boolean;
}

/** A shape for our own TinyLM (or any llama-style config), parameters counted from the shapes. */
export function shapeFromLlamaConfig(id: string, displayName: string, c: LlamaLikeConfig, source = 'config.json'): ModelShape {
  const shape: ModelShape = {
    id,
    displayName,
    params: 0,
    layers: c.nLayers,
    hidden: c.dim,
    heads: c.nHeads,
    kvHeads: c.nKvHeads,
    headDim: c.dim / c.nHeads,
    ffn: c.ffnDim,
    vocab: c.vocabSize,
    maxContext: c.maxSeqLen,
    tied: c.tieEmbeddings,
    source,
  };
  shape.params = countLlamaParams(shape);
  return shape;
}

/**
 * Parameters of a llama-style decoder from its shape (no biases):
 *   embeddings V·d (+ V·d for an untied LM head)
 *   per layer: Q d·(h·hd) + K,V 2·d·(kv·hd) + O (h·hd)·d + SwiGLU 3·d·f + two norms 2·d
 *   final norm d
 * Qwen2 adds q/k/v biases and Gemma/Phi differ slightly; that is why the table keeps published counts.
 */
export function countLlamaParams(s: Omit<ModelShape, 'params'>): number {
  const d = s.hidden;
  const attn = d * s.heads * s.headDim + 2 * d * s.kvHeads * s.headDim + s.heads * s.headDim * d;
  const ffn = 3 * d * s.ffn;
  const perLayer = attn + ffn + 2 * d;
  const emb = s.vocab * d * (s.tied ? 1 : 2);
  return emb + s.layers * perLayer + d;
}

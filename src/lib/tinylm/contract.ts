/**
 * Agreed shapes between the TinyLM model/trainer, its file formats (safetensors, GGUF) and the
 * engine that serves it. Keep this file small and stable; implementations live beside it.
 */

/** Hyper-parameters, mirroring Hugging Face `LlamaConfig` field meanings. */
export interface TinyLMConfig {
  vocabSize: number; // vocab_size
  dim: number; // hidden_size
  nLayers: number; // num_hidden_layers
  nHeads: number; // num_attention_heads
  nKvHeads: number; // num_key_value_heads (GQA when < nHeads)
  ffnDim: number; // intermediate_size (SwiGLU)
  maxSeqLen: number; // max_position_embeddings
  ropeTheta: number; // rope_theta
  normEps: number; // rms_norm_eps
  tieEmbeddings: boolean; // tie_word_embeddings
}

/**
 * Weights by Hugging Face Llama tensor names, each a row-major Float32Array:
 *   model.embed_tokens.weight                 [vocab, dim]
 *   model.layers.{i}.input_layernorm.weight   [dim]
 *   model.layers.{i}.self_attn.q_proj.weight  [nHeads*headDim, dim]     ([out, in])
 *   model.layers.{i}.self_attn.k_proj.weight  [nKvHeads*headDim, dim]
 *   model.layers.{i}.self_attn.v_proj.weight  [nKvHeads*headDim, dim]
 *   model.layers.{i}.self_attn.o_proj.weight  [dim, nHeads*headDim]
 *   model.layers.{i}.post_attention_layernorm.weight [dim]
 *   model.layers.{i}.mlp.gate_proj.weight     [ffnDim, dim]
 *   model.layers.{i}.mlp.up_proj.weight       [ffnDim, dim]
 *   model.layers.{i}.mlp.down_proj.weight     [dim, ffnDim]
 *   model.norm.weight                          [dim]
 *   lm_head.weight                             [vocab, dim]   (absent when tieEmbeddings)
 *
 * Rotary embeddings use the Hugging Face **rotate-half** convention (pairs i and i + headDim/2),
 * so a safetensors export loads unchanged in `transformers`; the GGUF exporter permutes Q/K rows
 * per head for llama.cpp's adjacent-pair convention.
 */
export interface TinyLMTensor {
  shape: number[];
  data: Float32Array;
}
export type TinyLMWeights = Map<string, TinyLMTensor>;

/** Special tokens of every TinyLM tokenizer, ids 0..2 (CS336 convention: specials first). */
export const TINYLM_SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

/**
 * Chat template (ChatML style), identical at training and inference:
 *   <|im_start|>system\n{content}<|im_end|>\n<|im_start|>user\n{content}<|im_end|>\n<|im_start|>assistant\n
 * Tool calls are emitted as text:  <tool_call>{"name": "...", "arguments": {...}}</tool_call>
 */
export const TOOL_CALL_OPEN = '<tool_call>';
export const TOOL_CALL_CLOSE = '</tool_call>';

/** Incremental inference with a KV cache. */
export interface InferenceSession {
  /** Number of tokens already in the cache. */
  readonly length: number;
  /** Appends tokens (prefill when several) and returns the logits of the last one [vocab]. */
  append(ids: number[]): Float32Array;
  /** Drops cached positions from `n` on (for regenerate / speculative rollback). */
  truncate(n: number): void;
}

/** What the engine needs from a loaded model. */
export interface LogitsModel {
  readonly config: TinyLMConfig;
  newSession(): InferenceSession;
  /** Mean-pooled final hidden states of `ids` [dim], L2-normalised (for embeddings.create). */
  embed(ids: number[]): Float32Array;
}

/**
 * Runs GGUF files exported from TinyLM in llama.cpp (`@wllama/wllama`, llama.cpp compiled to
 * WebAssembly, single thread, CPU only) and compares its greedy continuations with ours.
 * Shared by the agreement test (wllama-agreement.test.ts) and the decode bench page.
 *
 * Settings for a like-for-like comparison: no GPU layers, no flash attention, F32 KV cache, one
 * sequence, temperature 0 with top-k 1 (greedy). wllama takes text prompts only and returns the
 * chosen ids through `logprobs` (post-sampling, so only the chosen token is listed). Its JSON
 * layer throws on a token that is not valid UTF-8 by itself, so tokens like that (lone bytes
 * ≥ 0x80, partial characters) and the special tokens are banned on both sides.
 */
import { Wllama } from '@wllama/wllama';
import wasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';

export * from './greedy';

/** Loads a GGUF into a fresh single-thread, CPU-only llama.cpp. Load errors carry its log. */
export async function loadWllama(gguf: Uint8Array, nCtx = 512): Promise<Wllama> {
  const logs: string[] = [];
  const push = (...a: unknown[]) => logs.push(a.map(String).join(' '));
  const w = new Wllama({ default: wasmUrl }, { logger: { debug: () => {}, log: push, warn: push, error: push } });
  try {
    await w.loadModel([new Blob([gguf as Uint8Array<ArrayBuffer>])], {
      n_gpu_layers: 0,
      flash_attn: false,
      cache_type_k: 'f32',
      cache_type_v: 'f32',
      n_parallel: 1,
      n_threads: 1,
      n_ctx: nCtx,
      seed: 1,
      warmup: false,
    });
  } catch (e) {
    throw new Error(`llama.cpp could not load the GGUF: ${String(e)}\n${logs.slice(-20).join('\n')}`);
  }
  return w;
}

export interface TokenLogprob {
  id: number;
  logprob: number;
}

export interface WllamaRun {
  ids: number[];
  /** With `topK`: per generated position, log-softmax of the raw logits for the top-k ids. */
  top?: TokenLogprob[][];
  promptTokens: number;
  decodePerSecond: number;
  prefillPerSecond: number;
}

/**
 * llama.cpp's greedy continuation of `prompt` (n tokens, banned ids masked). With `topK`, also the
 * top-k log-probabilities of its raw (unbiased) logits at each position — only for models whose
 * top tokens are whole UTF-8 (any trained model), since wllama's JSON layer rejects the others.
 */
export async function wllamaGreedy(w: Wllama, prompt: string, n: number, banned: number[], topK = 0): Promise<WllamaRun> {
  const logit_bias: Record<string, number> = {};
  for (const id of banned) logit_bias[id] = -1e9;
  const res = (await w.createCompletion({
    prompt,
    max_tokens: n,
    temperature: 0,
    top_k: 1,
    seed: 1,
    logit_bias,
    n_probs: topK || 1,
    post_sampling_probs: !topK, // post-sampling (top-k 1) lists only the chosen token
    cache_prompt: false,
  } as never)) as unknown as {
    choices: { logprobs: { content: { id: number; top_logprobs?: TokenLogprob[] }[] } }[];
    usage: { prompt_tokens: number };
    timings: { predicted_per_second: number; prompt_per_second: number };
  };
  return {
    ids: res.choices[0].logprobs.content.map((c) => c.id),
    top: topK ? res.choices[0].logprobs.content.map((c) => c.top_logprobs!.map(({ id, logprob }) => ({ id, logprob }))) : undefined,
    promptTokens: res.usage.prompt_tokens,
    decodePerSecond: res.timings.predicted_per_second,
    prefillPerSecond: res.timings.prompt_per_second,
  };
}


/** llama.cpp's greedy chat completion (its Jinja chat template from the GGUF formats the prompt). */
export async function wllamaChatGreedy(
  w: Wllama,
  messages: Array<{ role: 'system' | 'user' | 'assistant'; content: string }>,
  n: number,
  banned: number[],
): Promise<{ ids: number[]; promptTokens: number }> {
  const logit_bias: Record<string, number> = {};
  for (const id of banned) logit_bias[id] = -1e9;
  const res = (await w.createChatCompletion({
    messages, max_tokens: n, temperature: 0, top_k: 1, seed: 1, logit_bias,
    logprobs: true, top_logprobs: 1, n_probs: 1, post_sampling_probs: true,
  } as never)) as unknown as { choices: { logprobs: { content: { id: number }[] } }[]; usage: { prompt_tokens: number } };
  return { ids: res.choices[0].logprobs.content.map((c) => c.id), promptTokens: res.usage.prompt_tokens };
}

/**
 * The serving engine behind the app's OpenAI-compatible endpoint: TinyLM's chat semantics
 * (ChatML template, seeded sampling, stop strings, logprobs, JSON-schema and tool-call
 * constraints, n choices — all of `TinyLMEngine`) with every sequence decoded by one
 * `ContinuousBatcher`, so concurrent requests share each forward pass over the paged KV cache.
 *
 *   - one `TinyLMEngine` per model id, all loading through one cache of loaded checkpoints, so a
 *     chat request for tinylm-chat never unloads the model a raw completion is using;
 *   - `/v1/completions` (raw text, no template) goes through the same batcher (`completer`);
 *   - a request's cancellation (its signal: the client disconnected) retires its sequence before the
 *     next step and frees its blocks; the others keep decoding.
 * Framework-free (runs in the serving worker, in Node tests and in the page as a fallback).
 */
import { createTinyLMEngine, type LoadedTinyLM, type TinyLMEngine, type TinyLMLoader } from '../engine/tinylm-engine';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatEngine, EmbeddingRequest, LoadProgress, ModelInfo } from '../engine/types';
import { LabError } from '../errors';
import { StopSequenceMatcher } from '../sampling/stop';
import { RNG } from '../tinylm/rng';
import { ContinuousBatcher, type BatcherOptions } from './continuous-batcher';
import { pick, type TextCompleter } from './openai-server';

export interface ServingEngineOptions extends BatcherOptions {
  models: () => Promise<ModelInfo[]>;
  loader: TinyLMLoader;
  /** Model of requests that name none (default 'tinylm-chat'). */
  defaultModel?: string;
}

/** A ChatEngine whose requests are continuously batched. */
export class ServingEngine implements ChatEngine {
  readonly kind = 'tinylm' as const;
  readonly batcher: ContinuousBatcher;
  readonly chat: ChatEngine['chat'];
  readonly embeddings: ChatEngine['embeddings'];
  /** Raw-text continuation for `/v1/completions`, through the same batcher. */
  readonly completer: TextCompleter;
  private readonly engines = new Map<string, TinyLMEngine>();
  private readonly loaded = new Map<string, Promise<LoadedTinyLM>>();
  private readonly defaultModel: string;

  constructor(private readonly opts: ServingEngineOptions) {
    this.batcher = new ContinuousBatcher(opts);
    this.defaultModel = opts.defaultModel ?? 'tinylm-chat';
    this.chat = { completions: { create: this.create.bind(this) as ChatEngine['chat']['completions']['create'] } };
    this.embeddings = { create: (req: EmbeddingRequest) => this.engineFor(req.model).embeddings.create(req) };
    this.completer = batchedCompleter((id) => this.model(id), this.batcher);
  }

  listModels(): Promise<ModelInfo[]> {
    return this.opts.models();
  }

  async load(modelId: string, onProgress?: (p: LoadProgress) => void): Promise<void> {
    await this.engineFor(modelId).load(modelId, onProgress);
  }

  async interrupt(): Promise<void> {
    for (const e of this.engines.values()) await e.interrupt();
  }

  async unload(): Promise<void> {
    for (const e of this.engines.values()) await e.unload();
    this.batcher.release(); // the KV caches go with the models
    this.engines.clear();
    this.loaded.clear();
  }

  tokenize(text: string): Promise<number[]> {
    return this.engineFor(undefined).tokenize(text);
  }

  detokenize(ids: number[]): Promise<string> {
    return this.engineFor(undefined).detokenize(ids);
  }

  /** A loaded checkpoint (loaded once, shared by chat, embeddings and raw completions). */
  model(id: string, onProgress?: (p: LoadProgress) => void): Promise<LoadedTinyLM> {
    let p = this.loaded.get(id);
    if (!p) {
      p = this.opts.loader(id, onProgress);
      this.loaded.set(id, p);
      p.catch(() => this.loaded.delete(id));
    }
    return p;
  }

  private engineFor(id: string | undefined): TinyLMEngine {
    const model = id || this.defaultModel;
    let e = this.engines.get(model);
    if (!e) {
      e = createTinyLMEngine({ models: this.opts.models, loader: (mid, onProgress) => this.model(mid, onProgress), defaultModel: model, batcher: this.batcher });
      this.engines.set(model, e);
    }
    return e;
  }

  private create(req: ChatCompletionRequest): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    return this.engineFor(req.model).chat.completions.create(req);
  }
}

/** Convenience factory. */
export function createServingEngine(opts: ServingEngineOptions): ServingEngine {
  return new ServingEngine(opts);
}

/**
 * `/v1/completions` over the batcher: `<|endoftext|>` + the prompt's tokens, then temperature
 * sampling with the request's own seeded RNG (0 = greedy) until `<|endoftext|>`, a stop string,
 * max_tokens or the window.
 */
export function batchedCompleter(get: (model: string) => Promise<Pick<LoadedTinyLM, 'model' | 'tokenizer'>>, batcher: ContinuousBatcher): TextCompleter {
  return {
    async *complete(req) {
      const { model, tokenizer } = await get(req.model);
      const eot = tokenizer.specialIds.get('<|endoftext|>') ?? 0;
      const ids = [eot, ...tokenizer.encode(req.prompt, { allowedSpecial: [] })];
      const window = model.config.maxSeqLen;
      if (ids.length >= window) throw new LabError('context-window', `The prompt is ${ids.length} tokens; this model has a ${window}-token context window.`, 'Shorten the prompt.');
      const maxNew = Math.max(0, Math.min(req.maxTokens, window - ids.length));
      const rng = new RNG(req.seed);
      const queue: number[] = [];
      let end: 'stop' | 'length' | 'abort' | null = maxNew === 0 ? 'length' : null;
      let failure: unknown = null;
      let wake: (() => void) | null = null;
      const notify = () => {
        const w = wake;
        wake = null;
        w?.();
      };
      let count = 0;
      const handle = end
        ? { cancel() {} }
        : batcher.submit(model, {
            prompt: ids,
            maxNewTokens: maxNew,
            next(logits) {
              const id = pick(logits, req.temperature, rng);
              if (id === eot) end = 'stop';
              else {
                queue.push(id);
                if (++count >= maxNew) end = 'length';
              }
              notify();
              return end ? -1 : id;
            },
            retired(reason, error) {
              if (reason === 'error') failure = error;
              else end ??= reason === 'cancelled' ? 'abort' : 'length';
              notify();
            },
          });
      const onAbort = () => handle.cancel();
      req.signal.addEventListener('abort', onAbort, { once: true });
      const stop = new StopSequenceMatcher(req.stop);
      const dec = tokenizer.streamingDecoder();
      try {
        for (;;) {
          if (queue.length) {
            const s = stop.push(dec.push(queue.shift()!));
            if (s.emit) yield s.emit;
            if (s.stopped) return { finish: 'stop', promptTokens: ids.length, completionTokens: count };
            continue;
          }
          if (failure) throw failure;
          if (req.signal.aborted) end = 'abort';
          if (end) break;
          await new Promise<void>((r) => (wake = r));
        }
        const s = stop.push(dec.flush());
        const rest = s.emit + (s.stopped ? '' : stop.flush());
        if (rest) yield rest;
        return { finish: s.stopped ? 'stop' : end, promptTokens: ids.length, completionTokens: count };
      } finally {
        req.signal.removeEventListener('abort', onAbort);
        handle.cancel(); // a stop string or a reader that left: retire the sequence
      }
    },
  };
}

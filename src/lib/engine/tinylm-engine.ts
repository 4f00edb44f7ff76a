/**
 * TinyLM behind the lab-wide ChatEngine interface: ChatML prompt → KV-cached incremental
 * decoding (`InferenceSession`) → the shared sampler → OpenAI-shaped completions or chunks.
 *
 * - Prefill runs once per choice (`session.append(promptIds)`), then one `append([id])` per token.
 *   The KV cache of the previous request is kept and reused up to the common prefix (a chat turn
 *   prefills only the new messages; `usage.extra.cached_prompt_tokens`).
 * - `logprobs` are the model's raw log-softmax (before temperature, penalties and masks), like
 *   vLLM's default; each carries the token text, id and bytes (a byte-level token may be half a
 *   UTF-8 character: `token` then shows U+FFFD and `bytes` tells the truth).
 * - `response_format` json_schema/json_object and forced tool calls use constrained decoding
 *   (see constrained/), so the output always parses. With tool_choice 'auto' the model decides
 *   whether to call; once it writes `<tool_call>`, the call itself is constrained the same way.
 * - The loop yields to the event loop every few milliseconds, so `interrupt()` (a message in a
 *   worker) is seen between tokens.
 */
import { createRng, randomSeed } from '../sampling/rng';
import { sampleToken, type SamplingParams } from '../sampling/sampler';
import { logSoftmax, topLogprobIds } from '../sampling/transforms';
import type { InferenceSession, LogitsModel } from '../tinylm/contract';
import { TOOL_CALL_CLOSE, TOOL_CALL_OPEN } from '../tinylm/contract';
import { contentText, renderChatMLSegments, responseFormatSchema } from './chat-template';
import { runCompletion, type ChoiceSource, type GenerationStats, type SourceEnd, type TokenEvent } from './completion-runner';
import { compileSchema, toolCallAnySchema, toolCallSchema, type SchemaNode } from './constrained/schema';
import { JsonTokenConstraint, VocabularyIndex, type MaskCache } from './constrained/token-constraint';
import { EngineError } from './errors';
import { finallyStream, InFlight } from './request-signal';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatEngine,
  EmbeddingRequest,
  EmbeddingResponse,
  LoadProgress,
  ModelInfo,
  TokenLogprob,
  TopLogprob,
} from './types';

/** What the engine needs from a tokenizer (the shape of `src/lib/tokenizer`'s `Tokenizer`). */
export interface EngineTokenizer {
  readonly vocabSize: number;
  readonly specialIds: Map<string, number>;
  encode(text: string, opts?: { allowedSpecial?: 'all' | Iterable<string> }): number[];
  decode(ids: Iterable<number>): string;
  tokenBytes(id: number): Uint8Array | undefined;
  streamingDecoder(): { push(ids: number | Iterable<number>): string; flush(): string };
}

/** A model ready to serve. */
export interface LoadedTinyLM {
  id: string;
  model: LogitsModel;
  tokenizer: EngineTokenizer;
}

/** Fetches/reads and builds a model by id. */
export type TinyLMLoader = (modelId: string, onProgress?: (p: LoadProgress) => void) => Promise<LoadedTinyLM>;

export interface TinyLMEngineOptions {
  loader: TinyLMLoader;
  /** The models `load` accepts (static list or a function reading their metadata). */
  models: ModelInfo[] | (() => Promise<ModelInfo[]>);
  /** Loaded by the first request when `load` was never called. */
  defaultModel?: string;
  /** Longest stretch of decoding between yields to the event loop (default 8 ms). */
  yieldEveryMs?: number;
  /**
   * Runs choices through a batching scheduler (src/lib/inference/continuous-batcher.ts) instead
   * of one KV-cached session at a time: concurrent requests share each forward pass.
   */
  batcher?: SequenceBatcher;
}

/** One sequence handed to a batching scheduler. */
export interface BatchedSequence {
  prompt: number[];
  /** Most tokens it will generate (the scheduler reserves cache room for prompt + this). */
  maxNewTokens: number;
  /**
   * Called with the logits after the sequence's last token, with the number of sequences in that
   * step (and `prefillS` on the step that ran its prompt); returns the next token to run, or -1
   * when the sequence is finished.
   */
  next(logits: Float32Array, info: { batch: number; prefillS?: number; sharedPrompt?: number }): number;
  /**
   * Sequences of one request (its n choices) carry the same object: with the same prompt, the
   * scheduler may prefill it once and fork the cache blocks (copy-on-write) for the others.
   */
  group?: object;
  /** Called once when the sequence leaves the scheduler for any reason but `next` returning -1. */
  retired(reason: 'cancelled' | 'length' | 'error', error?: unknown): void;
}

/** What the engine needs from a batching scheduler. */
export interface SequenceBatcher {
  /** Queues a sequence of `model`; `cancel()` retires it (its cache blocks freed) before the next step. */
  submit(model: LogitsModel, seq: BatchedSequence): { cancel(): void };
}

/** One choice's token picker (see TinyLMEngine.sampler). */
interface ChoiceSampler {
  /** Picks the token after `logits`: id -1 means the choice ended before it; `end` set means it ends after it. */
  step(logits: Float32Array): { id: number; event: TokenEvent; end: SourceEnd | null } | { id: -1; event: null; end: SourceEnd };
  /** What the streaming decoder still holds (an incomplete UTF-8 tail). */
  flush(): string;
}


const now = () => (globalThis.performance?.now() ?? Date.now()) / 1000;

/** Resolves on the next macrotask (MessageChannel: no 4 ms timer clamping in browsers). */
function nextMacrotask(): Promise<void> {
  if (typeof MessageChannel !== 'undefined') {
    return new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** ChatEngine over a TinyLM `LogitsModel` and its tokenizer. */
export class TinyLMEngine implements ChatEngine {
  readonly kind = 'tinylm' as const;
  private current: (LoadedTinyLM & { vocab: VocabularyIndex }) | null = null;
  /**
   * Prefix cache: the KV cache of the last finished generation and the token ids in it. A chat
   * resends the whole conversation each turn; reusing the common prefix makes time-to-first-token
   * depend on the new tokens only.
   */
  private spare: { model: LogitsModel; session: InferenceSession; ids: number[] } | null = null;
  /** Token-mask caches per constraint (schema + prefix/suffix), for the loaded vocabulary. */
  private maskCaches = new Map<string, MaskCache>();
  private loading: Promise<void> | null = null;
  private readonly inflight = new InFlight();
  private readonly yieldEvery: number;

  readonly chat: ChatEngine['chat'];
  readonly embeddings: ChatEngine['embeddings'];

  constructor(private readonly options: TinyLMEngineOptions) {
    this.yieldEvery = (options.yieldEveryMs ?? 8) / 1000;
    this.chat = { completions: { create: this.create.bind(this) as ChatEngine['chat']['completions']['create'] } };
    this.embeddings = { create: (req) => this.embed(req) };
  }

  /** The model currently loaded (null before `load`). */
  get loaded(): LoadedTinyLM | null {
    return this.current;
  }

  async listModels(): Promise<ModelInfo[]> {
    const m = this.options.models;
    return typeof m === 'function' ? m() : m;
  }

  async load(modelId: string, onProgress?: (p: LoadProgress) => void): Promise<void> {
    if (this.current?.id === modelId) {
      onProgress?.({ progress: 1, text: `${modelId} ready` });
      return;
    }
    const known = await this.listModels();
    if (!known.some((m) => m.id === modelId)) {
      throw new EngineError('model-not-found', `Unknown TinyLM model "${modelId}".`, `Choose one of: ${known.map((m) => m.id).join(', ')}.`);
    }
    this.inflight.interruptAll();
    const loaded = await this.options.loader(modelId, onProgress);
    this.current = { ...loaded, vocab: new VocabularyIndex(loaded.tokenizer, loaded.model.config.vocabSize) };
    this.maskCaches.clear();
    this.spare = null;
  }

  async unload(): Promise<void> {
    this.inflight.interruptAll();
    this.current = null;
    this.maskCaches.clear();
    this.spare = null;
  }

  async interrupt(): Promise<void> {
    this.inflight.interruptAll();
  }

  async tokenize(text: string): Promise<number[]> {
    return (await this.ready()).tokenizer.encode(text, { allowedSpecial: 'all' });
  }

  async detokenize(ids: number[]): Promise<string> {
    return (await this.ready()).tokenizer.decode(ids);
  }

  private async ready(): Promise<LoadedTinyLM & { vocab: VocabularyIndex }> {
    if (!this.current) {
      const id = this.options.defaultModel;
      if (!id) throw new EngineError('invalid-request', 'No TinyLM model is loaded.', 'Call load(modelId) first.');
      this.loading ??= this.load(id).finally(() => (this.loading = null));
      await this.loading;
    }
    return this.current!;
  }

  private async embed(req: EmbeddingRequest): Promise<EmbeddingResponse> {
    const m = await this.ready();
    const inputs = typeof req.input === 'string' ? [req.input] : req.input;
    let tokens = 0;
    const data = inputs.map((text, index) => {
      const ids = m.tokenizer.encode(text, { allowedSpecial: [] }).slice(0, m.model.config.maxSeqLen);
      tokens += ids.length;
      if (ids.length === 0) ids.push(m.tokenizer.specialIds.get('<|endoftext|>') ?? 0);
      return { object: 'embedding' as const, index, embedding: Array.from(m.model.embed(ids)) };
    });
    return { object: 'list', model: m.id, data, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  }

  private async create(req: ChatCompletionRequest): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    validateRequest(req);
    if (req.model && req.model !== this.current?.id) await this.load(req.model);
    const m = await this.ready();
    const promptIds = this.encodePrompt(m, req);
    const maxSeq = m.model.config.maxSeqLen;
    if (promptIds.length >= maxSeq) {
      throw new EngineError(
        'context-window',
        `The prompt is ${promptIds.length} tokens; ${m.id} has a ${maxSeq}-token context window.`,
        'Shorten the conversation or the documents in it.',
      );
    }
    const { signal, end } = this.inflight.begin(req.signal);
    // Batched: a non-streamed request's n choices decode side by side (one prefill, shared blocks).
    const run = runCompletion(req, { model: m.id, idPrefix: 'chatcmpl-tinylm', source: this.source(m, req, promptIds), signal, parallelChoices: !!this.options.batcher });
    if (req.stream) return finallyStream(run as AsyncIterable<ChatCompletionChunk>, end);
    try {
      return await (run as Promise<ChatCompletion>);
    } finally {
      end();
    }
  }

  private encodePrompt(m: LoadedTinyLM, req: ChatCompletionRequest): number[] {
    const tools = req.tool_choice === 'none' ? undefined : req.tools;
    // The schema is enforced by constrained decoding, not described in the prompt (see chat-template.ts).
    const segments = renderChatMLSegments(req.messages, { tools });
    const ids: number[] = [];
    for (const s of segments) {
      if ('special' in s) {
        const id = m.tokenizer.specialIds.get(s.special);
        if (id === undefined) throw new EngineError('unknown', `The tokenizer of ${m.id} lacks the special token ${s.special}.`);
        ids.push(id);
      } else ids.push(...m.tokenizer.encode(s.text, { allowedSpecial: [] }));
    }
    return ids;
  }

  /** The constraint for this request: a JSON schema, a forced tool call, or none. */
  private constraintFor(m: LoadedTinyLM & { vocab: VocabularyIndex }, req: ChatCompletionRequest): JsonTokenConstraint | null {
    const forced = req.tools?.length && typeof req.tool_choice === 'object' ? req.tool_choice.function.name : undefined;
    if (forced) return this.toolConstraint(m, req, forced);
    const schema = responseFormatSchema(req.response_format);
    if (!schema) return null;
    return this.constraint(m, JSON.stringify(['json', schema]), () => compileSchema(schema), '', '');
  }

  /** A tool call to `name` (its parameters enforced), or to any of the tools when `name` is null. */
  private toolConstraint(m: LoadedTinyLM & { vocab: VocabularyIndex }, req: ChatCompletionRequest, name: string | null): JsonTokenConstraint {
    const tools = req.tools ?? [];
    if (name === null) {
      const names = tools.map((t) => t.function.name);
      return this.constraint(m, JSON.stringify(['tools', names]), () => toolCallAnySchema(names), TOOL_CALL_OPEN, TOOL_CALL_CLOSE);
    }
    const tool = tools.find((t) => t.function.name === name);
    if (!tool) throw new EngineError('invalid-request', `tool_choice names "${name}", which is not in tools.`);
    const params = tool.function.parameters;
    return this.constraint(m, JSON.stringify(['tool', name, params ?? null]), () => toolCallSchema(name, params), TOOL_CALL_OPEN, TOOL_CALL_CLOSE);
  }

  private constraint(
    m: LoadedTinyLM & { vocab: VocabularyIndex },
    key: string,
    compile: () => SchemaNode,
    prefix: string,
    suffix: string,
  ): JsonTokenConstraint {
    let cache = this.maskCaches.get(key);
    if (!cache) {
      if (this.maskCaches.size >= 16) this.maskCaches.delete(this.maskCaches.keys().next().value!);
      this.maskCaches.set(key, (cache = new Map()));
    }
    return new JsonTokenConstraint(compile(), m.vocab, { prefix, suffix, cache });
  }

  /**
   * A session for `promptIds`: the spare one truncated to the longest common prefix (keeping at
   * least one prompt token to append, whose logits we need), or a fresh one.
   */
  private takeSession(model: LogitsModel, promptIds: number[]): { session: InferenceSession; reused: number } {
    const spare = this.spare;
    this.spare = null;
    if (spare && spare.model === model) {
      let common = 0;
      const max = Math.min(spare.ids.length, promptIds.length - 1);
      while (common < max && spare.ids[common] === promptIds[common]) common++;
      if (common > 0) {
        spare.session.truncate(common);
        return { session: spare.session, reused: common };
      }
    }
    return { session: model.newSession(), reused: 0 };
  }

  /**
   * One choice's token picker: sampling (seeded per choice), the constraint of a JSON schema or a
   * tool call, logprobs and the streaming decoder. It only needs the logits after the choice's last
   * token, so the sequential path below and a batching scheduler (`options.batcher`) share it.
   */
  private sampler(m: LoadedTinyLM & { vocab: VocabularyIndex }, req: ChatCompletionRequest, promptIds: number[], index: number, stats: GenerationStats): ChoiceSampler {
    const params: SamplingParams = {
      temperature: req.temperature ?? 1,
      topP: req.top_p,
      topK: req.top_k,
      minP: req.min_p,
      presencePenalty: req.presence_penalty,
      frequencyPenalty: req.frequency_penalty,
      repetitionPenalty: req.repetition_penalty,
      logitBias: req.logit_bias,
    };
    const k = req.logprobs ? Math.max(0, Math.min(20, req.top_logprobs ?? 0)) : 0;
    const stopIds = new Set(m.tokenizer.specialIds.values());
    const maxTokens = this.maxTokens(m, req, promptIds);
    const rng = createRng(req.seed! + index * 7919);
    const decoder = m.tokenizer.streamingDecoder();
    let constraint = this.constraintFor(m, req);
    // tool_choice auto: once the model opens <tool_call>, constrain the call (any tool name),
    // then, once the name is written, that tool's parameters.
    const autoTools = !constraint && !!req.tools?.length && (req.tool_choice === undefined || req.tool_choice === 'auto');
    const reply: number[] = []; // bytes generated so far (auto tool mode only)
    let toolStart = -1;
    let toolPhase: 'none' | 'any' | 'named' | 'off' = autoTools ? 'none' : 'off';
    const watchToolCall = () => {
      if (toolPhase === 'none') {
        toolStart = indexOfBytes(reply, TOOL_CALL_OPEN_BYTES);
        if (toolStart < 0) return;
        const c = this.toolConstraint(m, req, null);
        if (c.replay(Uint8Array.from(reply.slice(toolStart)))) {
          constraint = c;
          toolPhase = 'any';
        } else toolPhase = 'off';
      } else if (toolPhase === 'any') {
        const name = toolNameSoFar(reply.slice(toolStart + TOOL_CALL_OPEN_BYTES.length));
        if (name === null) return;
        const c = this.toolConstraint(m, req, name);
        if (c.replay(Uint8Array.from(reply.slice(toolStart)))) constraint = c;
        toolPhase = 'named';
      }
    };
    const history: number[] = [];
    stats.promptTokens = promptIds.length;

    const tokenEvent = (id: number, text: string, lsm: Float32Array | null): TokenEvent => {
      if (!req.logprobs || !lsm) return { text };
      const entry = (tid: number, lp: number): TopLogprob => {
        const bytes = m.vocab.bytes(tid);
        return { token: m.vocab.text(tid), logprob: lp, bytes: bytes ? Array.from(bytes) : null, id: tid };
      };
      const lp: TokenLogprob = { ...entry(id, lsm[id]), top_logprobs: topLogprobIds(lsm, k).map((t) => entry(t.id, t.logprob)) };
      return { text, logprob: lp };
    };

    return {
      step(logits) {
        if (history.length >= maxTokens) return { id: -1, event: null, end: 'length' };
        const mask = constraint?.mask(maxTokens - history.length);
        const { id } = sampleToken(logits, params, rng, { history, allowed: mask ? (i) => mask[i] === 1 : undefined });
        if (id < 0 || stopIds.has(id)) return { id: -1, event: null, end: 'stop' };
        const lsm = req.logprobs ? logSoftmax(logits) : null;
        history.push(id);
        stats.completionTokens = history.length;
        constraint?.advance(id);
        if (toolPhase === 'none' || toolPhase === 'any') {
          const b = m.vocab.bytes(id);
          if (b) for (const x of b) reply.push(x);
          watchToolCall();
        }
        const text = decoder.push(id);
        // The last token: the choice ends after it without running it through the model.
        const end = constraint?.done ? 'stop' : history.length >= maxTokens ? 'length' : null;
        return { id, event: tokenEvent(id, text, lsm), end };
      },
      flush: () => decoder.flush(),
    };
  }

  /** Most tokens a choice may generate: max_tokens, and what is left of the window. */
  private maxTokens(m: LoadedTinyLM, req: ChatCompletionRequest, promptIds: number[]): number {
    return Math.max(0, Math.min(req.max_tokens ?? Infinity, m.model.config.maxSeqLen - promptIds.length));
  }

  /** Choices decoded one after another on a KV-cached session (the prefix cache reused). */
  private source(m: LoadedTinyLM & { vocab: VocabularyIndex }, req: ChatCompletionRequest, promptIds: number[]): ChoiceSource {
    const seeded = { ...req, seed: req.seed ?? randomSeed() };
    const yieldEvery = this.yieldEvery;
    if (this.options.batcher) return this.batchedSource(m, seeded, promptIds);

    return (index, stats, signal) => {
      const { session, reused } = this.takeSession(m.model, promptIds);
      const inCache = promptIds.slice(); // ids in the KV cache once prefilled
      const sampler = this.sampler(m, seeded, promptIds, index, stats);
      let logits: Float32Array | null = null;
      let pendingId = -1; // sampled but not yet appended to the KV cache
      let finished: SourceEnd | null = null;
      let lastYield = now();
      const engine = this;

      return {
        async next(): Promise<IteratorResult<TokenEvent, SourceEnd>> {
          if (finished) return end(finished);
          if (now() - lastYield > yieldEvery) {
            await nextMacrotask();
            lastYield = now();
          }
          if (signal.aborted) return { done: true, value: 'stop' };
          if (logits === null) {
            const t0 = now();
            // prefill (only what the prefix cache lacks): [vocab] logits after the last prompt token
            logits = session.append(promptIds.slice(reused));
            stats.prefillS = now() - t0;
            stats.prefillTokens = promptIds.length - reused;
            stats.cachedPromptTokens = reused;
          } else if (pendingId >= 0) {
            logits = session.append([pendingId]); // decode one token with the KV cache
            inCache.push(pendingId);
            pendingId = -1;
          }
          const r = sampler.step(logits);
          if (!r.event) return end(r.end);
          pendingId = r.id;
          finished = r.end;
          return { done: false, value: r.event };
        },
        async return() {
          // Hand the KV cache back for the next request's common prefix (if it was filled).
          if (logits !== null && session.length === inCache.length) engine.spare = { model: m.model, session, ids: inCache };
          return { done: true, value: undefined };
        },
      };

      /** Ends the choice, first emitting what the decoder still holds (an incomplete UTF-8 tail). */
      function end(reason: SourceEnd): IteratorResult<TokenEvent, SourceEnd> {
        const rest = sampler.flush();
        finished = rest ? reason : null;
        return rest ? { done: false, value: { text: rest } } : { done: true, value: reason };
      }
    };
  }

  /**
   * Choices run by a batching scheduler: the scheduler calls the sampler with each step's logits
   * (tokens are buffered here, so a slow reader never holds up the batch), and the reader takes
   * them in order. Cancelling (signal, or the reader leaving) retires the sequence before the next step.
   */
  private batchedSource(m: LoadedTinyLM & { vocab: VocabularyIndex }, req: ChatCompletionRequest, promptIds: number[]): ChoiceSource {
    const batcher = this.options.batcher!;
    const group = {}; // this request's choices share their prompt's blocks
    return (index, stats, signal) => {
      // Already cancelled (e.g. the client left before this choice started): no sequence at all.
      if (signal.aborted) return { next: async () => ({ done: true, value: 'stop' as const }) };
      const sampler = this.sampler(m, req, promptIds, index, stats);
      const queue: TokenEvent[] = [];
      let ended: SourceEnd | null = null;
      let failure: unknown = null;
      let wake: (() => void) | null = null;
      const notify = () => {
        const w = wake;
        wake = null;
        w?.();
      };
      const finish = (reason: SourceEnd) => {
        const rest = sampler.flush();
        if (rest) queue.push({ text: rest });
        ended = reason;
      };
      const handle = batcher.submit(m.model, {
        prompt: promptIds,
        maxNewTokens: this.maxTokens(m, req, promptIds),
        group,
        next(logits, info) {
          if (info.prefillS !== undefined) {
            const shared = info.sharedPrompt ?? 0; // forked from another choice's prompt blocks
            stats.prefillS = info.prefillS;
            stats.prefillTokens = promptIds.length - shared;
            stats.cachedPromptTokens = shared;
          }
          stats.batchSteps = (stats.batchSteps ?? 0) + 1;
          stats.batchSum = (stats.batchSum ?? 0) + info.batch;
          const r = sampler.step(logits);
          if (r.event) queue.push(r.event);
          if (r.end) finish(r.end);
          notify();
          return ended ? -1 : r.id;
        },
        retired(reason, error) {
          if (reason === 'error') failure = error ?? new EngineError('unknown', 'The batch failed.');
          else if (!ended) finish(reason === 'cancelled' ? 'stop' : 'length');
          notify();
        },
      });
      const onAbort = () => handle.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      return {
        async next(): Promise<IteratorResult<TokenEvent, SourceEnd>> {
          for (;;) {
            if (queue.length) return { done: false, value: queue.shift()! };
            if (failure) throw failure;
            if (ended) return { done: true, value: ended };
            if (signal.aborted) return { done: true, value: 'stop' };
            await new Promise<void>((r) => (wake = r));
          }
        },
        async return() {
          signal.removeEventListener('abort', onAbort);
          handle.cancel();
          return { done: true, value: undefined };
        },
      };
    };
  }
}

const TOOL_CALL_OPEN_BYTES = new TextEncoder().encode(TOOL_CALL_OPEN);

function indexOfBytes(hay: number[], needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The tool name once `{"name": "…"` is complete in the call body, else null. */
function toolNameSoFar(body: number[]): string | null {
  const text = new TextDecoder().decode(Uint8Array.from(body));
  const match = /^\s*\{\s*"name"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(text);
  if (!match) return null;
  try {
    return JSON.parse(match[1]) as string;
  } catch {
    return null;
  }
}

function validateRequest(req: ChatCompletionRequest): void {
  if (!req || !Array.isArray(req.messages) || req.messages.length === 0) {
    throw new EngineError('invalid-request', 'messages must be a non-empty array.', 'Add at least one user message.');
  }
  for (const msg of req.messages) {
    if (!['system', 'user', 'assistant', 'tool'].includes(msg.role)) throw new EngineError('invalid-request', `Unknown role "${msg.role}".`);
    contentText(msg.content);
  }
  if (req.max_tokens !== undefined && !(req.max_tokens >= 0)) throw new EngineError('invalid-request', 'max_tokens must be ≥ 0.');
  if (req.temperature !== undefined && !(req.temperature >= 0)) throw new EngineError('invalid-request', 'temperature must be ≥ 0.');
  if (req.response_format?.type === 'grammar') {
    throw new EngineError('invalid-request', 'TinyLM does not support grammar response formats.', 'Use json_schema instead.');
  }
}

/** Convenience factory. */
export function createTinyLMEngine(options: TinyLMEngineOptions): TinyLMEngine {
  return new TinyLMEngine(options);
}

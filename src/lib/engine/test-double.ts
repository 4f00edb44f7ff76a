/**
 * Deterministic fake ChatEngines for tests and demos that must not depend on a real model:
 *
 *  - `createTestDoubleEngine()` answers every request predictably ("You said: …" by default, or
 *    your own `respond`), one character per token, honouring the whole contract: streaming,
 *    stop, max_tokens, seed, logprobs, JSON response formats (a valid instance of the schema),
 *    tools (calls the tool named in the last user message, or the forced one), interrupt and
 *    signal, embeddings (hashed bag of words), tokenize/detokenize (Unicode code points).
 *  - `createStreamingTestDouble({ tokensPerSecond })` streams "token 1 token 2 …" at a fixed
 *    rate, for UI performance tests.
 */
import { formatToolCall, contentText, responseFormatSchema } from './chat-template';
import { runCompletion, type ChoiceSource, type TokenEvent } from './completion-runner';
import { EngineError } from './errors';
import { finallyStream, InFlight } from './request-signal';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatEngine,
  EmbeddingRequest,
  EmbeddingResponse,
  JSONSchema,
  ModelInfo,
  TokenLogprob,
} from './types';

export interface TestDoubleOptions {
  /** The reply text (default: "You said: <last user message>"). */
  respond?: (req: ChatCompletionRequest) => string;
  /** Streaming pace; undefined = as fast as the consumer reads. */
  tokensPerSecond?: number;
  model?: string;
  /** Embedding dimension (default 64). */
  embeddingDim?: number;
  /** Context window reported by listModels and enforced on prompts (default 4096 tokens). */
  contextWindow?: number;
}

const enc = new TextEncoder();

/** A minimal valid instance of a JSON schema (the subset TinyLM's constrained decoding supports). */
export function exampleForSchema(schema: JSONSchema | undefined): unknown {
  if (!schema) return {};
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string': {
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      const s = 'text';
      return s.length >= min ? s.slice(0, typeof schema.maxLength === 'number' ? schema.maxLength : 4) : s.padEnd(min, 'x');
    }
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : min;
      return Array.from({ length: Math.min(min, max) }, () => exampleForSchema(schema.items as JSONSchema | undefined));
    }
    case 'object':
    default: {
      const props = (schema.properties ?? {}) as Record<string, JSONSchema>;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(props)) out[k] = exampleForSchema(v);
      return out;
    }
  }
}

function lastUserText(req: ChatCompletionRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    if (req.messages[i].role === 'user') return contentText(req.messages[i].content);
  }
  return '';
}

/** What the double "generates" for a request, before stop/max_tokens are applied. */
function replyFor(req: ChatCompletionRequest, respond: (r: ChatCompletionRequest) => string): string {
  const tools = req.tool_choice === 'none' ? [] : (req.tools ?? []);
  if (tools.length) {
    const forced = typeof req.tool_choice === 'object' ? req.tool_choice.function.name : undefined;
    const text = lastUserText(req).toLowerCase();
    const tool = tools.find((t) => t.function.name === forced) ?? tools.find((t) => text.includes(t.function.name.toLowerCase()));
    if (tool) return formatToolCall(tool.function.name, exampleForSchema(tool.function.parameters));
  }
  const schema = responseFormatSchema(req.response_format);
  if (schema) return JSON.stringify(exampleForSchema(schema));
  return respond(req);
}

/** FNV-1a hash (deterministic pseudo-logprobs and embeddings). */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function fakeLogprob(ch: string, position: number, k: number): TokenLogprob {
  const lp = -((hash(`${ch}@${position}`) % 1000) / 1000) - 0.01;
  const top = [{ token: ch, logprob: lp, bytes: Array.from(enc.encode(ch)), id: ch.codePointAt(0) }];
  for (let j = 1; j < k; j++) {
    const alt = String.fromCharCode(97 + ((hash(ch) + j) % 26));
    top.push({ token: alt, logprob: lp - j, bytes: Array.from(enc.encode(alt)), id: alt.codePointAt(0) });
  }
  return { ...top[0], top_logprobs: top.slice(0, k) };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** A deterministic ChatEngine that needs no model. */
export function createTestDoubleEngine(options: TestDoubleOptions = {}): ChatEngine {
  const model = options.model ?? 'test-double';
  const respond = options.respond ?? ((req) => `You said: ${lastUserText(req)}`);
  const dim = options.embeddingDim ?? 64;
  const contextWindow = options.contextWindow ?? 4096;
  const inflight = new InFlight();
  let loaded = true;

  const promptTokens = (req: ChatCompletionRequest) =>
    req.messages.reduce((a, m) => a + [...contentText(m.content)].length + 4, 3);

  const source =
    (req: ChatCompletionRequest): ChoiceSource =>
    (index, stats, signal) => {
      const chars = [...replyFor(req, respond)];
      const max = req.max_tokens ?? Infinity;
      stats.promptTokens = promptTokens(req);
      stats.prefillS = 1e-4;
      let i = 0;
      return {
        async next(): Promise<IteratorResult<TokenEvent, 'stop' | 'length'>> {
          if (i >= chars.length) return { done: true, value: 'stop' };
          if (i >= max) return { done: true, value: 'length' };
          if (options.tokensPerSecond) await sleep(1000 / options.tokensPerSecond, signal);
          const ch = chars[i];
          const event: TokenEvent = { text: ch };
          if (req.logprobs) event.logprob = fakeLogprob(ch, i + index, Math.max(1, req.top_logprobs ?? 1));
          i++;
          stats.completionTokens = i;
          return { done: false, value: event };
        },
      };
    };

  function create(req: ChatCompletionRequest & { stream: true }): Promise<AsyncIterable<ChatCompletionChunk>>;
  function create(req: ChatCompletionRequest & { stream?: false }): Promise<ChatCompletion>;
  function create(req: ChatCompletionRequest): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>>;
  async function create(req: ChatCompletionRequest): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    if (!loaded) throw new EngineError('invalid-request', 'The test-double model is unloaded.', 'Call load() first.');
    if (!Array.isArray(req.messages) || req.messages.length === 0) {
      throw new EngineError('invalid-request', 'messages must be a non-empty array.');
    }
    if (promptTokens(req) > contextWindow) {
      throw new EngineError('context-window', `The prompt is longer than the ${contextWindow}-token context window.`, 'Shorten the conversation.');
    }
    const { signal, end } = inflight.begin(req.signal);
    const run = runCompletion(req, { model, idPrefix: 'chatcmpl-double', source: source(req), signal });
    if (req.stream) return finallyStream(run as AsyncIterable<ChatCompletionChunk>, end);
    try {
      return await (run as Promise<ChatCompletion>);
    } finally {
      end();
    }
  }

  return {
    kind: 'test-double',
    chat: { completions: { create } },
    embeddings: {
      async create(req: EmbeddingRequest): Promise<EmbeddingResponse> {
        const inputs = typeof req.input === 'string' ? [req.input] : req.input;
        let tokens = 0;
        const data = inputs.map((text, index) => {
          const v = new Float32Array(dim);
          const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
          tokens += [...text].length;
          for (const w of words) {
            const h = hash(w);
            v[h % dim] += h & 0x100 ? 1 : -1;
          }
          let norm = 0;
          for (const x of v) norm += x * x;
          norm = Math.sqrt(norm) || 1;
          return { object: 'embedding' as const, index, embedding: Array.from(v, (x) => x / norm) };
        });
        return { object: 'list', model, data, usage: { prompt_tokens: tokens, total_tokens: tokens } };
      },
    },
    async interrupt() {
      inflight.interruptAll();
    },
    async unload() {
      inflight.interruptAll();
      loaded = false;
    },
    async listModels(): Promise<ModelInfo[]> {
      return [
        {
          id: model,
          engine: 'test-double',
          displayName: 'Test double (deterministic, no model)',
          contextWindow,
          capabilities: ['chat', 'embeddings', 'tools', 'json_schema', 'logprobs'],
          downloadBytes: 0,
        },
      ];
    },
    async load(modelId, onProgress) {
      if (modelId !== model) throw new EngineError('model-not-found', `Unknown model "${modelId}".`, `Use "${model}".`);
      onProgress?.({ progress: 1, text: 'Ready' });
      loaded = true;
    },
    async tokenize(text) {
      return [...text].map((c) => c.codePointAt(0)!);
    },
    async detokenize(ids) {
      return String.fromCodePoint(...ids);
    },
  };
}

/** A fake that streams `"token 1 token 2 …"` at `tokensPerSecond` (default 50), `totalTokens` long (default 200). */
export function createStreamingTestDouble(opts: { tokensPerSecond?: number; totalTokens?: number } = {}): ChatEngine {
  const total = opts.totalTokens ?? 200;
  return createStreamingWordDouble(opts.tokensPerSecond ?? 50, total);
}

function createStreamingWordDouble(tps: number, total: number): ChatEngine {
  const words = Array.from({ length: total }, (_, i) => `token ${i + 1} `);
  // The plain double provides embeddings, tokenize and listModels; chat is replaced below.
  const engine = createTestDoubleEngine({ model: 'test-double-stream', tokensPerSecond: tps, respond: () => '' });
  const inflight = new InFlight();
  const source: ChoiceSource = (_index, stats, signal) => {
    let i = 0;
    stats.promptTokens = 1;
    return {
      async next() {
        if (i >= words.length) return { done: true, value: 'stop' as const };
        await sleep(1000 / tps, signal);
        stats.completionTokens = i + 1;
        return { done: false, value: { text: words[i++] } };
      },
    };
  };
  async function create(req: ChatCompletionRequest): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> {
    const { signal, end } = inflight.begin(req.signal);
    const max = req.max_tokens ?? Infinity;
    const limited: ChoiceSource = (i, stats, s) => {
      const it = source(i, stats, s);
      let n = 0;
      return { next: async () => (n++ >= max ? { done: true, value: 'length' as const } : it.next()) };
    };
    const run = runCompletion(req, { model: 'test-double-stream', idPrefix: 'chatcmpl-stream', source: limited, signal });
    if (req.stream) return finallyStream(run as AsyncIterable<ChatCompletionChunk>, end);
    try {
      return await (run as Promise<ChatCompletion>);
    } finally {
      end();
    }
  }
  return {
    ...engine,
    chat: { completions: { create: create as ChatEngine['chat']['completions']['create'] } },
    async interrupt() {
      inflight.interruptAll();
    },
    async unload() {
      inflight.interruptAll();
      await engine.unload();
    },
  };
}

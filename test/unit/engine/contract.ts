/**
 * The engine contract: behaviour every ChatEngine backend must show, whatever model it runs.
 * Backends call it from their own test file:
 *
 *   import { runEngineContract } from '../engine/contract';
 *   runEngineContract('web-llm double', () => createWebLLMDoubleEngine());
 *
 * Features a backend genuinely lacks can be skipped by name (`skip`), and the suite never
 * asserts on *what* the model says, only on shapes, limits and invariants (greedy output is
 * reproducible, a stop sequence cuts exactly there, JSON output validates, ...).
 */
import { Validator } from '@cfworker/json-schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatEngine, JSONSchema } from '../../../src/lib/engine/types';

export type ContractFeature =
  | 'logprobs'
  | 'json_schema'
  | 'tools'
  | 'embeddings'
  | 'tokenize'
  | 'seed'
  | 'n'
  | 'stop'
  | 'interrupt'
  | 'listModels';

export interface ContractOptions {
  /** Features this backend does not support; their tests are skipped. */
  skip?: ContractFeature[];
  /** Seeds tried for JSON-schema output (default 3). */
  jsonSeeds?: number;
  /** Called once after the suite (e.g. to unload). Default: engine.unload(). */
  cleanup?: (engine: ChatEngine) => Promise<void>;
}

const messages = (text: string): ChatCompletionRequest['messages'] => [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: text },
];

/** A schema in the subset every constrained backend must honour. */
export const CONTRACT_SCHEMA: JSONSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 24 },
    age: { type: 'integer' },
    pet: { type: 'string', enum: ['cat', 'dog', 'none'] },
    tags: { type: 'array', items: { type: 'string', maxLength: 10 }, maxItems: 3 },
  },
  required: ['name', 'age', 'pet'],
  additionalProperties: false,
};

const WEATHER_PARAMS: JSONSchema = {
  type: 'object',
  properties: { city: { type: 'string', maxLength: 30 }, unit: { type: 'string', enum: ['c', 'f'] } },
  required: ['city'],
  additionalProperties: false,
};

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

const streamedText = (chunks: ChatCompletionChunk[], index = 0) =>
  chunks
    .flatMap((c) => c.choices)
    .filter((c) => c.index === index)
    .map((c) => c.delta.content ?? '')
    .join('');

const finishOf = (chunks: ChatCompletionChunk[], index = 0) =>
  chunks
    .flatMap((c) => c.choices)
    .filter((c) => c.index === index && c.finish_reason !== null)
    .map((c) => c.finish_reason);

/** Registers the contract tests for one backend. */
export function runEngineContract(
  name: string,
  makeEngine: () => ChatEngine | Promise<ChatEngine>,
  options: ContractOptions = {},
): void {
  const skip = new Set(options.skip ?? []);
  const itIf = (f: ContractFeature) => (skip.has(f) ? it.skip : it);

  describe(`ChatEngine contract: ${name}`, () => {
    let engine: ChatEngine;
    let greedy: ChatCompletion; // greedy reference output, max 24 tokens

    beforeAll(async () => {
      engine = await makeEngine();
      greedy = await engine.chat.completions.create({
        messages: messages('Tell me a short story about a cat.'),
        temperature: 0,
        max_tokens: 24,
      });
    });
    afterAll(async () => {
      if (options.cleanup) await options.cleanup(engine);
      else await engine.unload();
    });

    it('returns an OpenAI-shaped completion', () => {
      expect(typeof greedy.id).toBe('string');
      expect(greedy.id.length).toBeGreaterThan(0);
      expect(greedy.object).toBe('chat.completion');
      expect(Number.isInteger(greedy.created)).toBe(true);
      expect(Math.abs(greedy.created - Date.now() / 1000)).toBeLessThan(600);
      expect(typeof greedy.model).toBe('string');
      expect(greedy.choices).toHaveLength(1);
      const c = greedy.choices[0];
      expect(c.index).toBe(0);
      expect(c.message.role).toBe('assistant');
      expect(typeof c.message.content).toBe('string');
      expect(['stop', 'length']).toContain(c.finish_reason);
      const u = greedy.usage!;
      expect(u.prompt_tokens).toBeGreaterThan(0);
      expect(u.completion_tokens).toBeGreaterThan(0);
      expect(u.completion_tokens).toBeLessThanOrEqual(24);
      expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
      if (c.finish_reason === 'length') expect(u.completion_tokens).toBe(24);
    });

    it('streams chunks that add up to the same greedy text, ending with finish_reason and usage', async () => {
      const chunks = await collect(
        await engine.chat.completions.create({
          messages: messages('Tell me a short story about a cat.'),
          temperature: 0,
          max_tokens: 24,
          stream: true,
        }),
      );
      expect(chunks.length).toBeGreaterThan(1);
      const ids = new Set(chunks.map((c) => c.id));
      expect(ids.size).toBe(1);
      for (const c of chunks) expect(c.object).toBe('chat.completion.chunk');
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      expect(streamedText(chunks)).toBe(greedy.choices[0].message.content);
      expect(finishOf(chunks)).toEqual([greedy.choices[0].finish_reason]);
      const last = chunks[chunks.length - 1];
      expect(last.choices[0].finish_reason).not.toBeNull();
      expect(last.usage?.completion_tokens).toBe(greedy.usage!.completion_tokens);
      expect(last.usage?.prompt_tokens).toBe(greedy.usage!.prompt_tokens);
      expect(last.usage?.extra?.time_to_first_token_s ?? 0).toBeGreaterThanOrEqual(0);
    });

    it('honours max_tokens with finish_reason "length"', async () => {
      const r = await engine.chat.completions.create({
        messages: messages('Tell me a short story about a cat.'),
        temperature: 0,
        max_tokens: 3,
      });
      expect(r.usage!.completion_tokens).toBeLessThanOrEqual(3);
      if (greedy.usage!.completion_tokens > 3) {
        expect(r.choices[0].finish_reason).toBe('length');
        expect((greedy.choices[0].message.content as string).startsWith(r.choices[0].message.content as string)).toBe(true);
      }
    });

    itIf('seed')('is reproducible with a seed at temperature 1', async () => {
      const req = { messages: messages('Say something.'), temperature: 1, seed: 1234, max_tokens: 16 };
      const a = await engine.chat.completions.create(req);
      const b = await engine.chat.completions.create(req);
      expect(a.choices[0].message.content).toBe(b.choices[0].message.content);
    });

    itIf('stop')('cuts at a stop sequence spanning tokens, without emitting it', async () => {
      const text = greedy.choices[0].message.content as string;
      // A 3-character window of plain letters/spaces after the start (so the cut text is non-empty).
      let at = -1;
      for (let i = 1; i + 3 <= text.length; i++) {
        if (/^[A-Za-z ,.]{3}$/.test(text.slice(i, i + 3))) {
          at = i;
          break;
        }
      }
      // Fallback for odd outputs: any 2-character window without replacement characters.
      for (let i = 1; at < 0 && i + 2 <= text.length; i++) if (!text.slice(i, i + 2).includes('\uFFFD')) at = i;
      expect(at, `greedy output has no usable window: ${JSON.stringify(text)}`).toBeGreaterThan(0);
      const stop = /^[A-Za-z ,.]{3}$/.test(text.slice(at, at + 3)) ? text.slice(at, at + 3) : text.slice(at, at + 2);
      const cut = text.slice(0, text.indexOf(stop));
      const r = await engine.chat.completions.create({
        messages: messages('Tell me a short story about a cat.'),
        temperature: 0,
        max_tokens: 24,
        stop: [stop],
      });
      expect(r.choices[0].message.content).toBe(cut);
      expect(r.choices[0].finish_reason).toBe('stop');
      const chunks = await collect(
        await engine.chat.completions.create({
          messages: messages('Tell me a short story about a cat.'),
          temperature: 0,
          max_tokens: 24,
          stop,
          stream: true,
        }),
      );
      expect(streamedText(chunks)).toBe(cut);
    });

    itIf('interrupt')('interrupt() ends a stream with finish_reason "abort"', async () => {
      const stream = await engine.chat.completions.create({
        messages: messages('Tell me a long story about a cat and a dog.'),
        temperature: 0,
        max_tokens: 64,
        stream: true,
      });
      const finishes: Array<string | null> = [];
      let contentChunks = 0;
      for await (const c of stream) {
        for (const ch of c.choices) finishes.push(ch.finish_reason);
        if (c.choices[0]?.delta.content) {
          contentChunks++;
          if (contentChunks === 1) await engine.interrupt();
        }
      }
      expect(finishes.filter((f) => f !== null)).toEqual(['abort']);
      expect(contentChunks).toBeLessThan(64);
    });

    itIf('interrupt')('an aborted signal stops the request (finish_reason "abort")', async () => {
      const ctl = new AbortController();
      const stream = await engine.chat.completions.create({
        messages: messages('Tell me a long story about a cat and a dog.'),
        temperature: 0,
        max_tokens: 64,
        stream: true,
        signal: ctl.signal,
      });
      const finishes: Array<string | null> = [];
      for await (const c of stream) {
        for (const ch of c.choices) finishes.push(ch.finish_reason);
        if (c.choices[0]?.delta.content) ctl.abort();
      }
      expect(finishes.filter((f) => f !== null)).toEqual(['abort']);
      // The engine still works afterwards.
      const after = await engine.chat.completions.create({ messages: messages('Hi'), temperature: 0, max_tokens: 2 });
      expect(['stop', 'length']).toContain(after.choices[0].finish_reason);
    });

    itIf('logprobs')('returns logprobs with top_logprobs, best first', async () => {
      const r = await engine.chat.completions.create({
        messages: messages('Hello'),
        temperature: 0,
        max_tokens: 5,
        logprobs: true,
        top_logprobs: 3,
      });
      const content = r.choices[0].logprobs?.content;
      expect(Array.isArray(content)).toBe(true);
      expect(content!.length).toBeGreaterThan(0);
      expect(content!.length).toBeLessThanOrEqual(5);
      for (const t of content!) {
        expect(typeof t.token).toBe('string');
        expect(t.logprob).toBeLessThanOrEqual(0);
        expect(Number.isFinite(t.logprob)).toBe(true);
        expect(t.top_logprobs.length).toBeGreaterThan(0);
        expect(t.top_logprobs.length).toBeLessThanOrEqual(3);
        for (let i = 1; i < t.top_logprobs.length; i++) {
          expect(t.top_logprobs[i - 1].logprob).toBeGreaterThanOrEqual(t.top_logprobs[i].logprob);
        }
        // Greedy: the chosen token is the most probable one.
        expect(t.logprob).toBeCloseTo(t.top_logprobs[0].logprob, 4);
      }
    });

    itIf('json_schema')('response_format json_schema output parses and validates', async () => {
      const validator = new Validator(CONTRACT_SCHEMA as never, '2020-12', false);
      for (let seed = 1; seed <= (options.jsonSeeds ?? 3); seed++) {
        const r = await engine.chat.completions.create({
          messages: messages('Make up a person with a pet.'),
          temperature: 1,
          seed,
          max_tokens: 160,
          response_format: { type: 'json_schema', json_schema: { name: 'person', schema: CONTRACT_SCHEMA, strict: true } },
        });
        const text = r.choices[0].message.content as string;
        const value = JSON.parse(text);
        const result = validator.validate(value);
        expect(result.valid, `${text}\n${JSON.stringify(result.errors)}`).toBe(true);
        expect(r.choices[0].finish_reason).toBe('stop');
      }
    });

    itIf('json_schema')('response_format json_object output is a JSON object', async () => {
      const r = await engine.chat.completions.create({
        messages: messages('Reply in JSON.'),
        temperature: 0.8,
        seed: 3,
        max_tokens: 80,
        response_format: { type: 'json_object' },
      });
      const value = JSON.parse(r.choices[0].message.content as string);
      expect(typeof value).toBe('object');
      expect(Array.isArray(value)).toBe(false);
      expect(value).not.toBeNull();
    });

    itIf('tools')('a forced tool call comes back in message.tool_calls with finish_reason "tool_calls"', async () => {
      const r = await engine.chat.completions.create({
        messages: messages('What is the weather in Paris?'),
        temperature: 0,
        max_tokens: 160,
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: WEATHER_PARAMS } }],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      const c = r.choices[0];
      expect(c.finish_reason).toBe('tool_calls');
      expect(c.message.tool_calls?.length).toBeGreaterThanOrEqual(1);
      const call = c.message.tool_calls![0];
      expect(call.type).toBe('function');
      expect(typeof call.id).toBe('string');
      expect(call.function.name).toBe('get_weather');
      const args = JSON.parse(call.function.arguments);
      const v = new Validator(WEATHER_PARAMS as never, '2020-12', false).validate(args);
      expect(v.valid, call.function.arguments).toBe(true);
    });

    itIf('embeddings')('embeds strings and arrays, in order, with one dimension', async () => {
      const r = await engine.embeddings.create({ input: ['a cat sat', 'the dog ran', 'a cat sat'] });
      expect(r.object).toBe('list');
      expect(r.data.map((d) => d.index)).toEqual([0, 1, 2]);
      const dim = r.data[0].embedding.length;
      expect(dim).toBeGreaterThan(0);
      for (const d of r.data) {
        expect(d.embedding.length).toBe(dim);
        for (const x of d.embedding) expect(Number.isFinite(x)).toBe(true);
      }
      expect(Array.from(r.data[0].embedding)).toEqual(Array.from(r.data[2].embedding));
      const one = await engine.embeddings.create({ input: 'a cat sat' });
      expect(one.data).toHaveLength(1);
      expect(r.usage.prompt_tokens).toBeGreaterThan(0);
    });

    itIf('tokenize')('tokenize/detokenize round-trip', async () => {
      if (!engine.tokenize || !engine.detokenize) return;
      const text = 'Hello, world! Tokens: ünïcödé 🙂';
      const ids = await engine.tokenize(text);
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(Number.isInteger(id)).toBe(true);
      expect(await engine.detokenize(ids)).toBe(text);
    });

    itIf('n')('n = 2 returns two choices', async () => {
      const r = await engine.chat.completions.create({ messages: messages('Hi'), temperature: 1, seed: 5, max_tokens: 4, n: 2 });
      expect(r.choices.map((c) => c.index)).toEqual([0, 1]);
      const one = await engine.chat.completions.create({ messages: messages('Hi'), temperature: 1, seed: 5, max_tokens: 4 });
      expect(r.usage!.prompt_tokens).toBe(one.usage!.prompt_tokens); // the prompt counts once
      expect(r.usage!.completion_tokens).toBeLessThanOrEqual(8);
    });

    itIf('listModels')('lists models', async () => {
      if (!engine.listModels) return;
      const models = await engine.listModels();
      expect(models.length).toBeGreaterThan(0);
      for (const m of models) {
        expect(typeof m.id).toBe('string');
        expect(m.contextWindow).toBeGreaterThan(0);
        expect(m.engine).toBe(engine.kind);
      }
    });

    it('rejects a request without messages', async () => {
      await expect(engine.chat.completions.create({ messages: [] })).rejects.toThrow();
    });
  });
}

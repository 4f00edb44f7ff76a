import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/lib/engine/errors';
import { createTinyLMEngine } from '../../../src/lib/engine/tinylm-engine';
import type { ChatCompletionChunk, ToolDefinition } from '../../../src/lib/engine/types';
import type { LogitsModel } from '../../../src/lib/tinylm/contract';
import { runEngineContract } from './contract';
import { TINY_MODEL_INFO, tinyEngine, tinyModel, tinyTokenizer } from './tiny-fixture';

runEngineContract('TinyLM (random tiny model)', () => tinyEngine(), { jsonSeeds: 4 });

describe('TinyLM engine', () => {
  it('KV-cached decoding gives the same logits as recomputing the whole sequence', () => {
    const { model } = tinyModel(3);
    const ids = tinyTokenizer().encode('Once upon a time there was a cat.');
    const inc = model.newSession();
    const stepLogits: Float32Array[] = [inc.append(ids.slice(0, 3))];
    for (let i = 3; i < ids.length; i++) stepLogits.push(inc.append([ids[i]]));
    const full = model.newSession().append(ids);
    const last = stepLogits[stepLogits.length - 1];
    let maxDiff = 0;
    for (let v = 0; v < full.length; v++) maxDiff = Math.max(maxDiff, Math.abs(full[v] - last[v]));
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('reports prefill/decode speeds and time to first token', async () => {
    const e = tinyEngine();
    const r = await e.chat.completions.create({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 8, temperature: 0 });
    const x = r.usage!.extra!;
    expect(x.time_to_first_token_s).toBeGreaterThan(0);
    expect(x.prefill_tokens_per_s).toBeGreaterThan(0);
    expect(r.usage!.prompt_tokens).toBeGreaterThan(5);
  });

  it('logprobs carry token text, id and bytes that decode back to the output', async () => {
    const e = tinyEngine();
    const r = await e.chat.completions.create({
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 10,
      temperature: 0,
      logprobs: true,
      top_logprobs: 2,
    });
    const lp = r.choices[0].logprobs!.content!;
    const bytes = lp.flatMap((t) => t.bytes!);
    expect(new TextDecoder().decode(new Uint8Array(bytes))).toBe(r.choices[0].message.content);
    for (const t of lp) expect(typeof t.id).toBe('number');
  });

  it('different seeds give different samples at high temperature', async () => {
    const e = tinyEngine();
    const outs = new Set<string>();
    for (const seed of [1, 2, 3, 4]) {
      const r = await e.chat.completions.create({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 12, temperature: 1.5, seed });
      outs.add(r.choices[0].message.content as string);
    }
    expect(outs.size).toBeGreaterThan(1);
  });

  it('logit_bias can force a token', async () => {
    const e = tinyEngine();
    const id = tinyTokenizer().encode('cat')[0];
    const r = await e.chat.completions.create({
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 3,
      temperature: 0,
      logit_bias: { [id]: 100 },
    });
    expect(r.choices[0].message.content).toBe(tinyTokenizer().decode([id, id, id]));
  });

  it('rejects prompts longer than the context window with a typed error', async () => {
    const e = tinyEngine();
    const err = await e.chat.completions.create({ messages: [{ role: 'user', content: 'cat '.repeat(2000) }] }).catch((x) => x);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('context-window');
  });

  it('rejects unsupported schema keywords instead of producing output that might not validate', async () => {
    const e = tinyEngine();
    const err = await e.chat.completions
      .create({
        messages: [{ role: 'user', content: 'x' }],
        response_format: { type: 'json_schema', json_schema: { schema: { type: 'string', pattern: '^a' } } },
      })
      .catch((x) => x);
    expect((err as EngineError).code).toBe('invalid-request');
  });

  it('streams a forced tool call as a tool_calls delta', async () => {
    const e = tinyEngine();
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of await e.chat.completions.create({
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      stream: true,
      seed: 4,
      max_tokens: 120,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    }))
      chunks.push(c);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls).toHaveLength(1);
    expect(typeof JSON.parse(calls[0].function.arguments).city).toBe('string');
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
  });

  it('load() rejects unknown models; tokenize round-trips special tokens', async () => {
    const e = tinyEngine();
    await expect(e.load('nope')).rejects.toMatchObject({ code: 'model-not-found' });
    const ids = await e.tokenize('<|im_start|>user\nhi<|im_end|>');
    expect(ids[0]).toBe(1);
    expect(await e.detokenize(ids)).toBe('<|im_start|>user\nhi<|im_end|>');
  });
});

describe('tool_choice auto', () => {
  /** The random model, nudged to start its reply with `script` (then left to itself). */
  function scriptedEngine(script: string) {
    const base = tinyModel(5);
    const ids = base.tokenizer.encode(script, { allowedSpecial: [] });
    const model: LogitsModel = {
      config: base.model.config,
      embed: (x) => base.model.embed(x),
      newSession() {
        const s = base.model.newSession();
        let call = 0;
        return {
          get length() {
            return s.length;
          },
          truncate: (n: number) => s.truncate(n),
          append(x: number[]) {
            const logits = s.append(x);
            if (call < ids.length) logits[ids[call]] += 1000;
            call++;
            return logits;
          },
        };
      },
    };
    return createTinyLMEngine({ loader: async () => ({ ...base, model }), models: [TINY_MODEL_INFO], defaultModel: TINY_MODEL_INFO.id });
  }
  const tools: ToolDefinition[] = [
    { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 12 } }, required: ['city'] } } },
    { type: 'function', function: { name: 'add', parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } } },
  ];

  it('once the model opens <tool_call>, the call is constrained to a tool and its parameters', async () => {
    for (let seed = 0; seed < 6; seed++) {
      const e = scriptedEngine('<tool_call>{"name": "get_weather", "arguments": {"ci');
      const r = await e.chat.completions.create({ messages: [{ role: 'user', content: 'Weather?' }], tools, seed, max_tokens: 60 });
      const c = r.choices[0];
      expect(c.finish_reason, JSON.stringify(c.message)).toBe('tool_calls');
      expect(c.message.tool_calls![0].function.name).toBe('get_weather');
      const args = JSON.parse(c.message.tool_calls![0].function.arguments);
      expect(Object.keys(args)).toEqual(['city']);
      expect(typeof args.city).toBe('string');
    }
  });

  it('picks a valid tool name even when the model starts a wrong one', async () => {
    const e = scriptedEngine('Sure. <tool_call>{"name": "a');
    const r = await e.chat.completions.create({ messages: [{ role: 'user', content: 'Add' }], tools, seed: 1, max_tokens: 60 });
    const c = r.choices[0];
    expect(c.finish_reason).toBe('tool_calls');
    expect(c.message.content).toBe('Sure.');
    expect(c.message.tool_calls![0].function.name).toBe('add');
    const args = JSON.parse(c.message.tool_calls![0].function.arguments);
    expect(typeof args.a).toBe('number');
    expect(typeof args.b).toBe('number');
  });

  it('tool_choice none: tools are not described and no call is parsed', async () => {
    const e = scriptedEngine('<tool_call>{"name": "add", "arguments": {}}</tool_call>');
    const r = await e.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], tools, tool_choice: 'none', temperature: 0, max_tokens: 30 });
    expect(r.choices[0].finish_reason).not.toBe('tool_calls');
    expect(r.choices[0].message.tool_calls).toBeUndefined();
  });
});

describe('prefix cache', () => {
  it('reuses the KV cache of the previous turn and gives the same tokens and logprobs as a fresh engine', async () => {
    const cached = tinyEngine(7);
    const turn1 = [{ role: 'user' as const, content: 'Tell me about the cat.' }];
    const r1 = await cached.chat.completions.create({ messages: turn1, temperature: 0, max_tokens: 12 });
    const again = await cached.chat.completions.create({ messages: turn1, temperature: 0, max_tokens: 12 });
    expect(again.choices[0].message.content).toBe(r1.choices[0].message.content);
    expect(again.usage!.extra!.cached_prompt_tokens).toBe(again.usage!.prompt_tokens - 1);

    const turn2 = [...turn1, { role: 'assistant' as const, content: r1.choices[0].message.content }, { role: 'user' as const, content: 'And the dog?' }];
    const req = { messages: turn2, temperature: 0, max_tokens: 12, logprobs: true, top_logprobs: 1 };
    const withCache = await cached.chat.completions.create(req);
    const fresh = await tinyEngine(7).chat.completions.create(req);
    expect(withCache.usage!.extra!.cached_prompt_tokens).toBeGreaterThan(5);
    expect(fresh.usage!.extra!.cached_prompt_tokens).toBeUndefined();
    expect(withCache.choices[0].message.content).toBe(fresh.choices[0].message.content);
    const a = withCache.choices[0].logprobs!.content!;
    const b = fresh.choices[0].logprobs!.content!;
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i].logprob - b[i].logprob)).toBeLessThan(1e-4);
  });
});

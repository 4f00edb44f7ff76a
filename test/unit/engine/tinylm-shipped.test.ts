/**
 * The engine contract against the shipped checkpoints in public/models/ (loaded from disk with
 * the same checkpoint loader the worker uses over fetch). Skipped, with a visible reason, until
 * `npm run train:tinylm` has produced them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTinyLMEngine } from '../../../src/lib/engine/tinylm-engine';
import { tinyLMCatalog } from '../../../src/lib/engine/tinylm-models';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';
import { renderChatML as trainingChatML } from '../../../src/lib/tinylm/corpus/instruct';
import { generateIds } from '../../../src/lib/tinylm/eval';
import { runEngineContract } from './contract';

const root = new URL('../../../public/models/', import.meta.url);
const have = (id: string) => ['config.json', 'model.safetensors', 'tokenizer.json'].every((f) => existsSync(new URL(`${id}/${f}`, root)));

/** fetch() over the files in public/models/ (what the browser gets from the server). */
const diskFetch = (async (input: string | URL | Request) => {
  const url = new URL(String(input));
  if (!existsSync(url)) return new Response('not found', { status: 404 });
  return new Response(readFileSync(url));
}) as typeof fetch;

function shippedEngine(id: string) {
  const { models, loader } = tinyLMCatalog(root.href, { fetchFn: diskFetch });
  return createTinyLMEngine({ models, loader, defaultModel: id });
}

// The contract is model-agnostic (constrained decoding makes JSON and forced tool calls valid with
// any weights): run it on the chat model, or on the first shipped checkpoint present.
const contractModel = ['tinylm-chat', 'tinylm-base', 'tinylm-draft'].find(have);
if (contractModel) runEngineContract(`TinyLM shipped ${contractModel}`, () => shippedEngine(contractModel), { jsonSeeds: 2 });

if (have('tinylm-chat')) {
  describe('shipped chat model through the engine', () => {
    it('greedy output is token for token the trainer\'s reference generation (same prompt ids, same tokens)', async () => {
      const read = (f: string) => readFileSync(new URL(`tinylm-chat/${f}`, root));
      const { model, tokenizer } = loadModel({ config: read('config.json').toString(), safetensors: read('model.safetensors'), tokenizer: read('tokenizer.json').toString() });
      const engine = shippedEngine('tinylm-chat');
      for (const content of ['Hi!', 'Context: Ann lives in Oslo.\nQuestion: Where does Ann live?', 'What is the weather in Paris?']) {
        const msgs = [{ role: 'user' as const, content }];
        const reference = generateIds(model, tokenizer.encode(trainingChatML(msgs, true)), { maxTokens: 24, stopIds: [0, 1, 2] });
        const r = await engine.chat.completions.create({ messages: msgs, temperature: 0, max_tokens: 24, logprobs: true });
        expect(r.choices[0].logprobs!.content!.map((t) => t.id)).toEqual(reference);
        expect(r.choices[0].message.content).toBe(tokenizer.decode(reference));
      }
    });

    it('lists the shipped models from their config.json', async () => {
      const ids = (await shippedEngine('tinylm-chat').listModels()).map((m) => m.id);
      expect(ids[0]).toBe('tinylm-chat');
      for (const id of ['tinylm-base', 'tinylm-draft']) if (have(id)) expect(ids).toContain(id);
    });

    it('calls a tool in the trained format (tool_choice auto) and the call parses', async () => {
      const engine = shippedEngine('tinylm-chat');
      const r = await engine.chat.completions.create({
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        tools: [
          { type: 'function', function: { name: 'get_weather', description: 'Get the weather in a city.', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
          { type: 'function', function: { name: 'set_timer', description: 'Start a timer.', parameters: { type: 'object', properties: { minutes: { type: 'number' } }, required: ['minutes'] } } },
        ],
        temperature: 0,
        max_tokens: 60,
      });
      const c = r.choices[0];
      // What the model chooses is its quality (measured by the training report); the engine's
      // guarantee is that a call it emits is well-formed and names a real tool.
      if (c.finish_reason === 'tool_calls') {
        expect(['get_weather', 'set_timer']).toContain(c.message.tool_calls![0].function.name);
        expect(() => JSON.parse(c.message.tool_calls![0].function.arguments)).not.toThrow();
      } else {
        expect(c.message.content).not.toContain('<tool_call>');
      }
    });
  });
} else {
  describe.skip('TinyLM shipped chat model (public/models/tinylm-chat not built yet: npm run train:tinylm)', () => {
    it('tool call in the trained format', () => {});
  });
}

/**
 * Keeping a chat inside the context window: the planner with the test double's counts (exact for
 * it: characters + 4 per message + 3) and with the shipped TinyLM chat model, whose own prompt
 * token count (usage.prompt_tokens) must equal the planner's for every request of a 20-turn chat.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addAssistantTurn, addUserTurn, newConversation, type Conversation } from '../../../src/lib/chat/conversation';
import { chatMLCounter, cutByWindow, estimateCounter, planContext } from '../../../src/lib/chat/context-window';
import { CHAT_PRESETS, splitToolCalls, TOOLS_SYSTEM_PROMPT } from '../../../src/lib/chat/presets';
import { createTinyLMEngine } from '../../../src/lib/engine/tinylm-engine';
import { tinyLMCatalog } from '../../../src/lib/engine/tinylm-models';
import { LabError } from '../../../src/lib/errors';
import type { ChatCompletion } from '../../../src/lib/engine/types';

function chat(turns: number, system = 'Be brief.'): Conversation {
  const c = newConversation({ systemPrompt: system });
  for (let i = 0; i < turns; i++) {
    addUserTurn(c, `question number ${i}`);
    addAssistantTurn(c, 'm').content = `answer number ${i}`;
  }
  return c;
}

describe('planContext', () => {
  const counter = estimateCounter(async (t) => [...t].map((ch) => ch.codePointAt(0)!));

  it('sends everything when it fits, and max_tokens unchanged', async () => {
    const c = chat(2);
    addUserTurn(c, 'last');
    const p = await planContext(c, c.messages.length, counter, { window: 4096, maxTokens: 100 });
    expect(p.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(p.usage).toMatchObject({ droppedTurns: 0, maxTokens: 100, requestedMaxTokens: 100, window: 4096 });
    // characters + 4 per message + 3 for the reply
    const chars = p.messages.reduce((a, m) => a + (m.content as string).length + 4, 3);
    expect(p.usage.promptTokens).toBe(chars);
    expect(p.usage.firstTurnId).toBe(c.messages[0].id);
  });

  it('keeps the system prompt and the question, leaves out the oldest turns, starts with a question', async () => {
    const c = chat(20);
    addUserTurn(c, 'the newest question');
    const p = await planContext(c, c.messages.length, counter, { window: 200, maxTokens: 256 });
    expect(p.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(p.messages.at(-1)).toEqual({ role: 'user', content: 'the newest question' });
    expect(p.messages[1].role).toBe('user');
    expect(p.usage.droppedTurns).toBeGreaterThan(30);
    // reply room reserved: min(max_tokens, window / 2)
    expect(p.usage.promptTokens + 100).toBeLessThanOrEqual(200);
    expect(p.usage.maxTokens).toBe(200 - p.usage.promptTokens);
    expect(p.usage.maxTokens).toBeLessThan(256);
    const sent = p.messages.slice(1).map((m) => m.content);
    expect(sent).toEqual(c.messages.slice(c.messages.length - sent.length).map((t) => t.content));
    expect(p.usage.firstTurnId).toBe(c.messages[c.messages.length - sent.length].id);
  });

  it('refuses, with the numbers, when the system prompt and the question leave no room', async () => {
    const c = newConversation({ systemPrompt: 'x'.repeat(150) });
    addUserTurn(c, 'y'.repeat(60));
    const err = await planContext(c, 1, counter, { window: 200, maxTokens: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('context-window');
    expect((err as LabError).message).toMatch(/system prompt \(154 tokens\).*message \(64 tokens\).*200-token/);
  });

  it('with an unknown window sends everything', async () => {
    const c = chat(30);
    addUserTurn(c, 'q');
    const p = await planContext(c, c.messages.length, counter, { window: 0, maxTokens: 64 });
    expect(p.messages).toHaveLength(62);
    expect(p.usage.maxTokens).toBe(64);
  });

  it('labels a length stop as cut by the window only when the window was the limit', () => {
    const base = { window: 256, promptTokens: 200, systemTokens: 10, historyTokens: 100, messageTokens: 80, droppedTurns: 0, exact: true };
    expect(cutByWindow({ ...base, maxTokens: 56, requestedMaxTokens: 256 }, 56)).toBe(true);
    expect(cutByWindow({ ...base, maxTokens: 20, requestedMaxTokens: 20 }, 20)).toBe(false);
    expect(cutByWindow(undefined, 20)).toBe(false);
  });
});

describe('chat presets', () => {
  it('the tools preset is the system prompt of the tool-calling training examples', () => {
    expect(CHAT_PRESETS.find((p) => p.id === 'tools')!.systemPrompt).toBe(TOOLS_SYSTEM_PROMPT);
    expect(TOOLS_SYSTEM_PROMPT).toMatch(/^You can call these tools:\n- get_weather\(city: string\): Get the weather in a city\.\n/);
  });

  it('splits a reply into text and parsed tool calls', () => {
    const parts = splitToolCalls('Sure. <tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call> <tool_call>not json</tool_call>');
    expect(parts).toEqual([
      { text: 'Sure. ' },
      { call: { name: 'get_weather', arguments: { city: 'Paris' }, raw: '{"name": "get_weather", "arguments": {"city": "Paris"}}' } },
      { text: ' <tool_call>not json</tool_call>' },
    ]);
  });
});

const root = new URL('../../../public/models/', import.meta.url);
const haveChat = ['config.json', 'model.safetensors', 'tokenizer.json'].every((f) => existsSync(new URL(`tinylm-chat/${f}`, root)));
const diskFetch = (async (input: string | URL | Request) => {
  const url = new URL(String(input));
  return existsSync(url) ? new Response(readFileSync(url)) : new Response('not found', { status: 404 });
}) as typeof fetch;

describe.skipIf(!haveChat)('a chat with the shipped TinyLM chat model', () => {
  const engine = () => {
    const { models, loader } = tinyLMCatalog(root.href, { fetchFn: diskFetch });
    return createTinyLMEngine({ models, loader, defaultModel: 'tinylm-chat' });
  };
  const questions = ['Hi!', 'How are you?', 'Tell me a short story about Ana.', 'What can you do?', 'Context: Omar lives in Lima.\nQuestion: Where does Omar live?'];

  it('20 turns stay inside the 256-token window; the planned count is the engine\'s own', async () => {
    const e = engine();
    const counter = chatMLCounter((t) => e.tokenize!(t));
    const c = newConversation({ systemPrompt: 'You are a helpful assistant.' });
    let dropped = 0;
    for (let i = 0; i < 20; i++) {
      addUserTurn(c, questions[i % questions.length]);
      const plan = await planContext(c, c.messages.length, counter, { window: 256, maxTokens: 256 });
      const r = (await e.chat.completions.create({ messages: plan.messages, max_tokens: plan.usage.maxTokens, temperature: 0.7, seed: i })) as ChatCompletion;
      expect(r.usage!.prompt_tokens).toBe(plan.usage.promptTokens);
      expect(r.usage!.prompt_tokens + r.usage!.completion_tokens).toBeLessThanOrEqual(256);
      addAssistantTurn(c, 'tinylm-chat').content = (r.choices[0].message.content as string) ?? '';
      dropped = plan.usage.droppedTurns;
    }
    expect(c.messages).toHaveLength(40);
    expect(dropped).toBeGreaterThan(10);
  }, 60_000);

  it('with the tools preset "What is the weather in Paris?" gives the exact call', async () => {
    const e = engine();
    const preset = CHAT_PRESETS.find((p) => p.id === 'tools')!;
    const c = newConversation({ systemPrompt: preset.systemPrompt });
    addUserTurn(c, preset.example);
    const plan = await planContext(c, 1, chatMLCounter((t) => e.tokenize!(t)), { window: 256, maxTokens: 256 });
    const r = (await e.chat.completions.create({ messages: plan.messages, max_tokens: plan.usage.maxTokens, temperature: 0.7, seed: 1 })) as ChatCompletion;
    expect(r.choices[0].message.content).toBe('<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>');
  });

  it('the other presets get answers in their trained formats', async () => {
    const e = engine();
    const answers: Record<string, string> = {};
    for (const p of CHAT_PRESETS) {
      const c = newConversation({ systemPrompt: p.systemPrompt });
      addUserTurn(c, p.example);
      const plan = await planContext(c, 1, chatMLCounter((t) => e.tokenize!(t)), { window: 256, maxTokens: 200 });
      const r = (await e.chat.completions.create({ messages: plan.messages, max_tokens: plan.usage.maxTokens, temperature: 0 })) as ChatCompletion;
      answers[p.id] = (r.choices[0].message.content as string) ?? '';
    }
    expect(answers.qa).toBe('Rome');
    expect(JSON.parse(answers.json)).toEqual({ name: 'Omar', city: 'Lima' });
  });
});

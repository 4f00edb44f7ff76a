import { describe, expect, it } from 'vitest';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { HumanMessage, SystemMessage, ToolMessage, AIMessage, AIMessageChunk } from '@langchain/core/messages';
import { EngineChatModel } from '../../../src/lib/langchain/chat-model';
import { RunTreeHandler } from '../../../src/lib/langchain/run-tree';
import { createTestDoubleEngine } from '../../../src/lib/engine/test-double';
import { LabError } from '../../../src/lib/errors';
import { haveChat, shippedChatEngine } from '../../../scripts/lib/shipped-engine';

const QA = 'Context: Ann lives in Oslo. Ann works as a baker.\nQuestion: Where does Ann live?';

describe.skipIf(!haveChat)('EngineChatModel over the shipped TinyLM chat model', () => {
  const engine = shippedChatEngine();
  const model = new EngineChatModel({ engine, temperature: 0, maxTokens: 24 });

  it('joined stream chunks equal the invoke text under greedy decoding', async () => {
    for (const q of [QA, 'Return JSON with the keys "city" (string).\nText: Bo lives in Lima.', 'Hi!']) {
      const whole = await model.invoke([new HumanMessage(q)]);
      let joined = '';
      let last: AIMessageChunk | undefined;
      for await (const c of await model.stream([new HumanMessage(q)])) {
        joined += c.text;
        last = last ? last.concat(c) : c;
      }
      expect(joined).toBe(whole.text);
      expect(whole.text.length).toBeGreaterThan(0);
      // usage metadata arrives on both paths, and agrees
      expect(whole.usage_metadata?.input_tokens).toBeGreaterThan(10);
      expect(last?.usage_metadata).toMatchObject({ input_tokens: whole.usage_metadata!.input_tokens, output_tokens: whole.usage_metadata!.output_tokens });
    }
    expect((await model.invoke([new HumanMessage(QA)])).text).toBe('Oslo');
  });

  it('batch equals separate calls', async () => {
    const inputs = [[new HumanMessage(QA)], [new SystemMessage('Answer the question with words from the context.'), new HumanMessage('Context: Bo is 12 years old.\nQuestion: How old is Bo?')], [new HumanMessage('Hi!')]];
    const batched = await model.batch(inputs);
    const separate = [];
    for (const i of inputs) separate.push(await model.invoke(i));
    expect(batched.map((m) => m.text)).toEqual(separate.map((m) => m.text));
  });

  it('stop and temperature/seed reach the engine', async () => {
    const long = await model.invoke([new HumanMessage('Tell me a short story about Lily.')], { maxTokens: 40 });
    const word = long.text.split(' ')[2];
    const cut = await model.invoke([new HumanMessage('Tell me a short story about Lily.')], { maxTokens: 40, stop: [word] });
    expect(long.text.startsWith(cut.text)).toBe(true);
    expect(cut.text.length).toBeLessThan(long.text.length);
    const hot = new EngineChatModel({ engine, temperature: 1.2, maxTokens: 30 });
    const a = await hot.invoke([new HumanMessage('Tell me a short story about Lily.')], { seed: 7 });
    const b = await hot.invoke([new HumanMessage('Tell me a short story about Lily.')], { seed: 7 });
    expect(a.text).toBe(b.text);
  });

  it('tool calls round-trip: bindTools → tool_calls → ToolMessage back to the model', async () => {
    const weather = { type: 'function' as const, function: { name: 'get_weather', description: 'Get the weather in a city.', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
    const withTools = model.bindTools([weather], { maxTokens: 60 });
    const ai = await withTools.invoke([new HumanMessage('What is the weather in Paris?')]);
    expect(ai.tool_calls?.[0]?.name).toBe('get_weather');
    expect(ai.tool_calls?.[0]?.args).toEqual({ city: 'Paris' });
    // streamed tool call chunks collapse into the same call
    let acc: AIMessageChunk | undefined;
    for await (const c of await withTools.stream([new HumanMessage('What is the weather in Paris?')])) acc = acc ? acc.concat(c) : c;
    expect(acc?.tool_calls?.[0]?.args).toEqual({ city: 'Paris' });
    // the result goes back as a tool message; the engine accepts the whole exchange
    const reply = await withTools.invoke([new HumanMessage('What is the weather in Paris?'), new AIMessage({ content: '', tool_calls: ai.tool_calls }), new ToolMessage({ content: 'sunny, 21 C', tool_call_id: ai.tool_calls![0].id! })]);
    expect(typeof reply.text).toBe('string');
  });

  it('withStructuredOutput uses constrained decoding: the reply always parses', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string', maxLength: 20 } }, required: ['city'], additionalProperties: false };
    const out = await model.withStructuredOutput<{ city: string }>(schema).invoke([new HumanMessage('Return JSON with the keys "city" (string).\nText: Bo lives in Lima.')]);
    expect(out).toEqual({ city: 'Lima' });
  });

  it('an abort signal stops generation', async () => {
    const ctl = new AbortController();
    let n = 0;
    const slow = new EngineChatModel({ engine, temperature: 0, maxTokens: 200 });
    await expect(
      (async () => {
        for await (const c of await slow.stream([new HumanMessage('Tell me a short story about Lily.')], { signal: ctl.signal })) {
          void c;
          if (++n === 3) ctl.abort();
        }
      })(),
    ).rejects.toThrow();
    expect(n).toBeLessThan(10);
    // the engine is free again at once
    expect((await model.invoke([new HumanMessage(QA)])).text).toBe('Oslo');
  });

  it('the run tree records prompt, model and parser with tokens', async () => {
    const tree = new RunTreeHandler();
    const chain = ChatPromptTemplate.fromMessages([['user', 'Context: {context}\nQuestion: {question}']]).pipe(model).pipe(new StringOutputParser());
    const out = await chain.invoke({ context: 'Ann lives in Oslo.', question: 'Where does Ann live?' }, { callbacks: [tree] });
    expect(out).toBe('Oslo');
    const [root] = tree.roots();
    expect(tree.children(root.id).map((n) => n.kind)).toEqual(['prompt', 'llm', 'parser']);
    const llm = tree.nodes.find((n) => n.kind === 'llm')!;
    expect(llm.input).toContain('Ann lives in Oslo.');
    expect(llm.output).toBe('Oslo');
    expect(llm.tokens!.input).toBeGreaterThan(10);
    expect(tree.tokensUnder(root.id).output).toBe(llm.tokens!.output);
    expect(root.end! >= root.start).toBe(true);
  });
});

describe('EngineChatModel errors', () => {
  it('an engine failure keeps our code, message and next step (no LangChain retries)', async () => {
    let calls = 0;
    const engine = createTestDoubleEngine({ contextWindow: 16 });
    const counting = { ...engine, chat: { completions: { create: (req: never) => (calls++, engine.chat.completions.create(req)) } } } as typeof engine;
    const model = new EngineChatModel({ engine: counting });
    const err = await model.invoke('a prompt that is far longer than sixteen tokens of context, surely').catch((e) => e);
    expect(err).toBeInstanceOf(LabError);
    expect(err.code).toBe('context-window');
    expect(err.hint).toBeTruthy();
    expect(calls).toBe(1);
  });
});

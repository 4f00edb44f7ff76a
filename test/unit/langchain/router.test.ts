import { describe, expect, it } from 'vitest';
import { EngineChatModel } from '../../../src/lib/langchain/chat-model';
import { DEFAULT_RULES, ROUTER_EXAMPLES, ROUTER_QUERIES, ROUTES, evaluateRouter, examplesToText, keywordRouter, llmRouter, parseExamples, parseRules, routerChain, semanticRouter } from '../../../src/lib/langchain/router';
import { EmbedderEmbeddings } from '../../../src/lib/rag/langchain';
import { LexicalEmbedder } from '../../../src/lib/rag/embedders';
import { RunnableLambda } from '@langchain/core/runnables';
import { LabError } from '../../../src/lib/errors';
import { createTestDoubleEngine } from '../../../src/lib/engine/test-double';
import { haveChat, shippedChatEngine } from '../../../scripts/lib/shipped-engine';

describe('router sets', () => {
  it('ships ≥ 60 held-out labelled queries, balanced, none of them an example', () => {
    expect(ROUTER_QUERIES.length).toBeGreaterThanOrEqual(60);
    for (const r of ROUTES) expect(ROUTER_QUERIES.filter((q) => q.route === r).length).toBe(16);
    const ex = new Set(ROUTER_EXAMPLES.map((e) => e.text));
    expect(ROUTER_QUERIES.filter((q) => ex.has(q.text))).toEqual([]);
    expect(parseExamples(examplesToText(ROUTER_EXAMPLES))).toEqual(ROUTER_EXAMPLES);
  });

  it('an unknown route, a rule without words or a route without examples is a clear error', () => {
    const err = (() => {
      try {
        parseRules('calculator: plus\nweather: rain');
      } catch (e) {
        return e as LabError;
      }
    })()!;
    expect(err).toBeInstanceOf(LabError);
    expect(err.message).toBe('Line 2: “weather” is not a route.');
    expect(err.hint).toContain('calculator, retrieval, chat, gpu');
    expect(() => parseRules('gpu:')).toThrow(/no words/);
    expect(() => parseExamples('chat: hi\ngpu: write a poem')).toThrow(/No examples for calculator, retrieval/);
  });

  it('keyword and semantic routers: accuracy and confusion matrix add up', async () => {
    const kw = await evaluateRouter(keywordRouter(DEFAULT_RULES), ROUTER_QUERIES);
    expect(kw.confusion.flat().reduce((a, b) => a + b, 0)).toBe(ROUTER_QUERIES.length);
    expect(kw.accuracy).toBeCloseTo(kw.confusion.reduce((s, row, i) => s + row[i], 0) / ROUTER_QUERIES.length);
    expect(kw.accuracy).toBeGreaterThan(0.5);
    const sem = await evaluateRouter(await semanticRouter(ROUTER_EXAMPLES, new EmbedderEmbeddings(new LexicalEmbedder())), ROUTER_QUERIES);
    expect(sem.accuracy).toBeGreaterThan(0.4);
  });

  it('the router chain hands the query to the chosen destination', async () => {
    const dest = Object.fromEntries(ROUTES.map((r) => [r, RunnableLambda.from((q: string) => `${r}:${q}`)])) as never;
    const chain = routerChain(keywordRouter(DEFAULT_RULES), dest);
    expect(await chain.invoke('What is 2 plus 2?')).toBe('calculator:What is 2 plus 2?');
    expect(await chain.invoke('Hi!')).toBe('chat:Hi!');
  });

  it('the LLM router only ever answers a route name (constrained decoding), even on the test double', async () => {
    const r = llmRouter(new EngineChatModel({ engine: createTestDoubleEngine() }));
    expect(ROUTES).toContain((await r.route('What is 2 plus 2?')).route);
  });
});

describe.skipIf(!haveChat)('LLM router on the shipped TinyLM chat model', () => {
  it('routes every query to a real route; its accuracy is measured, not assumed', async () => {
    const ev = await evaluateRouter(llmRouter(new EngineChatModel({ engine: shippedChatEngine() })), ROUTER_QUERIES);
    expect(ev.predictions.every((p) => ROUTES.includes(p))).toBe(true);
    expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBe(64);
    console.log('llm router accuracy', ev.accuracy, JSON.stringify(ev.confusion));
  }, 60_000);
});

/**
 * Measures lesson 1.3's figures on the shipped TinyLM chat model and writes them to
 * src/lib/langchain/eval-results.json (the lesson imports them; nothing is typed by hand):
 *
 *  - the three routers (keyword rules, semantic by nearest labelled examples with the built-in
 *    lexical embedder, the LLM classifier constrained to route names) on the 64 labelled queries;
 *  - the scripted 10-turn memory conversation under each strategy (reply at turn 10, largest prompt);
 *  - each Components-lab preset's result (greedy decoding).
 *
 *   npm run langchain:eval
 */
import 'fake-indexeddb/auto';
import { writeFileSync } from 'node:fs';
import { EngineChatModel } from '../src/lib/langchain/chat-model';
import { DEFAULT_RULES, ROUTER_EXAMPLES, ROUTER_QUERIES, ROUTES, evaluateRouter, keywordRouter, llmRouter, semanticRouter, type RouterEval } from '../src/lib/langchain/router';
import { MEMORY_SCRIPT, MEMORY_SCRIPT_ANSWER, MemoryConversation, engineCounter, type MemoryOptions, type MemoryStrategy } from '../src/lib/langchain/memory';
import { CHAIN_PRESETS } from '../src/lib/langchain/presets';
import { runChain } from '../src/lib/langchain/components';
import { EmbedderEmbeddings } from '../src/lib/rag/langchain';
import { LexicalEmbedder } from '../src/lib/rag/embedders';
import { openLabDB } from '../src/lib/storage/db';
import { explainError } from '../src/lib/errors';
import { haveChat, shippedChatEngine } from './lib/shipped-engine';

if (!haveChat) {
  console.error('public/models/tinylm-chat is missing: run npm run train:tinylm first.');
  process.exit(1);
}
const engine = shippedChatEngine();
const model = new EngineChatModel({ engine });
const round = (x: number) => Math.round(x * 1000) / 1000;
const slim = (e: RouterEval) => ({ accuracy: round(e.accuracy), confusion: e.confusion });

// Routers
const routers = {
  keyword: slim(await evaluateRouter(keywordRouter(DEFAULT_RULES), ROUTER_QUERIES)),
  semantic: slim(await evaluateRouter(await semanticRouter(ROUTER_EXAMPLES, new EmbedderEmbeddings(new LexicalEmbedder())), ROUTER_QUERIES)),
  llm: slim(await evaluateRouter(llmRouter(model), ROUTER_QUERIES)),
};

// Memory: the scripted conversation in TinyLM's context style, and the chat style for contrast.
const db = openLabDB('langchain-eval');
const memory: Record<string, Record<string, { reply: string | null; recalled: boolean; maxPromptTokens: number; error?: string; errorAtTurn?: number }>> = {};
for (const style of ['context', 'messages'] as const) {
  memory[style] = {};
  for (const strategy of ['none', 'buffer', 'last-k', 'trim', 'summary'] as MemoryStrategy[]) {
    const conv = new MemoryConversation(db, `${style}-${strategy}`, model, engineCounter((t) => engine.tokenize(t)));
    const opts: MemoryOptions = { strategy, style, k: 3, system: style === 'context' ? 'Answer the question with words from the context.' : '', window: 256, maxTokens: 32, temperature: 0, seed: 1 };
    let reply: string | null = null;
    let maxPromptTokens = 0;
    let error: string | undefined;
    let errorAtTurn: number | undefined;
    for (const [i, t] of MEMORY_SCRIPT.entries()) {
      try {
        const r = await conv.turn(t, opts);
        maxPromptTokens = Math.max(maxPromptTokens, r.promptTokens);
        reply = r.reply;
      } catch (e) {
        error ??= explainError(e);
        errorAtTurn ??= i + 1;
        reply = null;
      }
    }
    memory[style][strategy] = { reply, recalled: reply?.includes(MEMORY_SCRIPT_ANSWER) ?? false, maxPromptTokens, ...(error ? { error, errorAtTurn } : {}) };
  }
}

// Components presets
const components: Record<string, { ok: boolean; value?: unknown; raw?: string }> = {};
for (const p of CHAIN_PRESETS) {
  const out = await runChain({ ...p.spec, temperature: 0, maxTokens: 48, seed: 1 }, model, 'invoke', {});
  const r = out.results[0];
  components[p.id] = r.ok ? { ok: true, value: r.value } : { ok: false, raw: r.raw };
}

const results = {
  generatedBy: 'npm run langchain:eval (scripts/langchain-eval.ts)',
  model: 'tinylm-chat',
  decoding: 'greedy',
  routes: ROUTES,
  queries: ROUTER_QUERIES.length,
  examples: ROUTER_EXAMPLES.length,
  routers,
  memory: { script: MEMORY_SCRIPT, answer: MEMORY_SCRIPT_ANSWER, window: 256, maxTokens: 32, k: 3, ...memory },
  components,
};
const out = new URL('../src/lib/langchain/eval-results.json', import.meta.url);
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.log(`routers: keyword ${routers.keyword.accuracy}, semantic ${routers.semantic.accuracy}, llm ${routers.llm.accuracy}`);
for (const style of ['context', 'messages']) console.log(`memory (${style}):`, Object.entries(memory[style]).map(([k, v]) => `${k}=${v.recalled ? 'recalled' : v.error ? `error@${v.errorAtTurn}` : 'lost'}(${v.maxPromptTokens})`).join(' '));
console.log('components:', Object.entries(components).map(([k, v]) => `${k}=${v.ok ? JSON.stringify(v.value) : `parse failure on ${JSON.stringify(v.raw)}`}`).join(' '));
console.log(`wrote ${out.pathname}`);
db.close();

/**
 * Held-out evaluation of the shipped models, measured (never asserted by hand):
 *  - story loss / perplexity on held-out generated stories (every model);
 *  - chat skills on held-out generated examples with greedy decoding: exact match of context-QA
 *    answers, JSON validity and exactness, tool-call validity and exactness.
 * Used by `npm run tinylm -- eval`, which writes `metrics.json` beside each model.
 */
import type { Tokenizer } from '../tokenizer';
import type { LogitsModel } from './contract';
import type { TinyLM } from './model';
import { argmax } from '../sampling/transforms';
import { CORPUS_SEEDS, makeInstruct, makeStories, promptIds, storiesToTokens, type ChatExample } from './corpus';
import { TOOL_CALL_CLOSE, TOOL_CALL_OPEN } from './contract';
import { evaluateLoss, sequentialBatches } from './train';

/** Index of the largest value: the one argmax of the lab (src/lib/sampling). */
export { argmax };

/**
 * Generates up to `maxTokens` ids after `prompt` with a KV cache; `pick` chooses each id from the
 * logits (default greedy). Stops after an id in `stopIds` (not included in the result).
 */
export function generateIds(
  model: LogitsModel,
  prompt: number[],
  opts: { maxTokens: number; stopIds?: number[]; pick?: (logits: Float32Array, history: number[]) => number },
): number[] {
  const s = model.newSession();
  const room = model.config.maxSeqLen - prompt.length;
  if (room <= 0) throw new Error(`prompt of ${prompt.length} tokens does not fit the context of ${model.config.maxSeqLen}`);
  let logits = s.append(prompt);
  const out: number[] = [];
  const pick = opts.pick ?? ((l) => argmax(l));
  for (let i = 0; i < Math.min(opts.maxTokens, room); i++) {
    const id = pick(logits, out);
    if (opts.stopIds?.includes(id)) break;
    out.push(id);
    if (i + 1 < Math.min(opts.maxTokens, room)) logits = s.append([id]);
  }
  return out;
}

/** Lower-case, strip punctuation and leading articles (SQuAD-style normalisation). */
export function normalizeAnswer(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' ').replace(/\b(a|an|the)\b/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Held-out story loss (nats/token) and perplexity. */
export function storyMetrics(model: TinyLM, tok: Tokenizer, n = 200): { loss: number; perplexity: number; tokens: number } {
  const data = storiesToTokens(tok, makeStories(n, CORPUS_SEEDS.valStories));
  const T = Math.min(128, model.config.maxSeqLen);
  const loss = evaluateLoss(model, sequentialBatches(data, 4, T));
  return { loss, perplexity: Math.exp(loss), tokens: data.tokens.length };
}

function reply(model: LogitsModel, tok: Tokenizer, ex: ChatExample, maxTokens: number): string {
  return tok.decode(generateIds(model, promptIds(tok, ex), { maxTokens, stopIds: [2, 0] }));
}

/** The greedy reply to one user message, in the chat template (as the chat skills are scored). */
export function greedyAnswer(model: LogitsModel, tok: Tokenizer, user: string, maxTokens: number): string {
  return reply(model, tok, { skill: 'chat', messages: [{ role: 'user', content: user }, { role: 'assistant', content: '' }] }, maxTokens);
}

/** Metrics of the chat skills on held-out examples (greedy decoding). */
export function chatMetrics(model: LogitsModel, tok: Tokenizer, n = { qa: 200, json: 100, tool: 100 }) {
  const qa = makeInstruct(n.qa, CORPUS_SEEDS.valInstruct, 'qa');
  let em = 0;
  const qaSamples: { expected: string; got: string }[] = [];
  for (const ex of qa) {
    const expected = ex.messages[ex.messages.length - 1].content;
    const got = reply(model, tok, ex, 24);
    if (normalizeAnswer(got) === normalizeAnswer(expected)) em++;
    if (qaSamples.length < 5) qaSamples.push({ expected, got });
  }
  const js = makeInstruct(n.json, CORPUS_SEEDS.valInstruct + 1, 'json');
  let valid = 0, exact = 0;
  for (const ex of js) {
    const expected = JSON.parse(ex.messages[ex.messages.length - 1].content);
    const got = reply(model, tok, ex, 64);
    try {
      const v = JSON.parse(got);
      valid++;
      if (JSON.stringify(v) === JSON.stringify(expected)) exact++;
    } catch {
      /* invalid JSON counts as a miss */
    }
  }
  const tools = makeInstruct(n.tool, CORPUS_SEEDS.valInstruct + 2, 'tool').filter((e) => e.skill === 'tool');
  let tValid = 0, tName = 0, tExact = 0;
  for (const ex of tools) {
    const expected = parseToolCall(ex.messages[ex.messages.length - 1].content)!;
    const got = parseToolCall(reply(model, tok, ex, 64));
    if (!got) continue;
    tValid++;
    if (got.name === expected.name) tName++;
    if (JSON.stringify(got) === JSON.stringify(expected)) tExact++;
  }
  return {
    qa: { n: qa.length, exactMatch: em / qa.length, samples: qaSamples },
    json: { n: js.length, valid: valid / js.length, exact: exact / js.length },
    toolCall: { n: tools.length, valid: tValid / tools.length, rightTool: tName / tools.length, exact: tExact / tools.length },
  };
}

/** Parses `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`; null when malformed. */
export function parseToolCall(text: string): { name: string; arguments: Record<string, unknown> } | null {
  const t = text.trim();
  if (!t.startsWith(TOOL_CALL_OPEN) || !t.endsWith(TOOL_CALL_CLOSE)) return null;
  try {
    const v = JSON.parse(t.slice(TOOL_CALL_OPEN.length, t.length - TOOL_CALL_CLOSE.length));
    if (typeof v?.name !== 'string' || typeof v.arguments !== 'object' || v.arguments === null) return null;
    return { name: v.name, arguments: v.arguments };
  } catch {
    return null;
  }
}

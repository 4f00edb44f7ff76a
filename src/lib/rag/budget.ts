/**
 * Fitting a RAG prompt into a model's context window *before* sending it. A window holds the
 * prompt, the chat template's own tokens and the answer; whatever the retrieved sources need
 * beyond that must go. Lowest-ranked sources go first (they are the least likely to hold the
 * answer), then the last remaining source is cut at a word boundary. If the template and the
 * question alone overflow, nothing can be sent and the learner is told why.
 */
import { LabError } from '../errors';
import { augment } from './pipeline';
import type { SearchResult } from './retriever';

export interface PromptBudget {
  /** the model's context window (tokens) */
  window: number;
  /** tokens kept free for the answer */
  answer: number;
  /** tokens the chat template adds around the prompt (role markers) */
  overhead: number;
}

export interface FittedPrompt {
  prompt: string;
  /** tokens of the prompt as counted (exact with the model's tokenizer, else estimated) */
  tokens: number;
  /** tokens available to the prompt: window − answer − overhead */
  limit: number;
  /** the sources in the prompt (a prefix of the retrieved list; the last may be cut) */
  kept: SearchResult[];
  /** how many retrieved sources were left out */
  dropped: number;
  /** characters of the last kept source that were cut, 0 when none */
  cutChars: number;
  /** tokens of the prompt with every retrieved source, untrimmed */
  fullTokens: number;
}

/** Tokens left for the prompt. */
export function promptLimit(b: PromptBudget): number {
  return b.window - b.answer - b.overhead;
}

/**
 * The longest prompt that fits `budget`: all sources if they fit, else fewer, else the best one
 * cut. `count` gives a text's token count (the model's tokenizer, or an estimate).
 */
export async function fitPrompt(
  template: string,
  question: string,
  results: SearchResult[],
  count: (text: string) => Promise<number>,
  budget: PromptBudget,
): Promise<FittedPrompt> {
  const limit = promptLimit(budget);
  const full = augment(template, question, results);
  const fullTokens = await count(full);
  const done = (prompt: string, tokens: number, kept: SearchResult[], cutChars: number): FittedPrompt => ({
    prompt, tokens, limit, kept, dropped: results.length - kept.length, cutChars, fullTokens,
  });
  if (fullTokens <= limit) return done(full, fullTokens, results, 0);
  // 1. drop sources from the bottom of the ranking, keeping at least one
  for (let n = results.length - 1; n >= 1; n--) {
    const p = augment(template, question, results.slice(0, n));
    const t = await count(p);
    if (t <= limit) return done(p, t, results.slice(0, n), 0);
  }
  const bare = await count(augment(template, question, results.length ? [cutResult(results[0]!, 0)] : []));
  if (bare > limit)
    throw new LabError('context-window', `The template and the question alone are ${bare} tokens; ${budget.window} tokens minus ${budget.answer} kept for the answer leave ${limit}.`,
      'Shorten the template or the question.');
  // 2. cut the best source: the longest prefix (at a word boundary) that fits, by bisection
  const best = results[0]!;
  const words = [...best.chunk.text.matchAll(/\S+/g)].map((m) => m.index! + m[0].length);
  let lo = 0, hi = words.length; // words[lo-1] fits (lo = 0: no words)
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const t = await count(augment(template, question, [cutResult(best, words[mid - 1]!)]));
    if (t <= limit) lo = mid;
    else hi = mid - 1;
  }
  const end = lo > 0 ? words[lo - 1]! : 0;
  const kept = [cutResult(best, end)];
  const p = augment(template, question, kept);
  return done(p, await count(p), kept, best.chunk.text.length - end);
}

/** A result whose chunk text is cut after `chars` characters (marked with …). */
function cutResult(r: SearchResult, chars: number): SearchResult {
  if (chars >= r.chunk.text.length) return r;
  return { ...r, chunk: { ...r.chunk, text: r.chunk.text.slice(0, chars) + '…' } };
}

/** A rough token count for backends without a tokenizer: about 4 characters per token in English. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

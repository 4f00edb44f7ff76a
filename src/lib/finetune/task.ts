/**
 * The supervised task of lesson 2.2: context question answering with a new answer format that the
 * shipped chat model was never trained on. The system prompt asks for the answer as a JSON object:
 *
 *   system:    Reply with JSON: {"answer": ...}
 *   user:      Context: Mia lives in Oslo. She works as a pilot.
 *              Question: What is Mia's job?
 *   assistant: {"answer": "pilot"}
 *
 * The chat model already copies answers out of a context (its "Context: … Question: …" skill) and
 * writes flat JSON for "Return JSON with the keys …", but never combined the two: given this system
 * prompt it answers with the bare span. What fine-tuning must add is the format — a program checks
 * it: the reply must parse as JSON with exactly the key "answer", whose value matches the expected
 * span (SQuAD normalisation).
 * Examples come from our own profile generator (MIT), from seeds no TinyLM training split uses;
 * held-out prompts use their own seed. One person per context keeps examples near 100 tokens.
 */
import type { Tokenizer } from '../tokenizer';
import type { LogitsModel } from '../tinylm/contract';
import { chatToTokens, personProfile, promptIds, renderJSON, renderQAUser, type ChatExample } from '../tinylm/corpus';
import type { TokenData } from '../tinylm/train';
import { generateIds, normalizeAnswer } from '../tinylm/eval';
import { RNG } from '../tinylm/rng';

/** The instruction that asks for the new format. */
export const TASK_SYSTEM = 'Reply with JSON: {"answer": ...}';

/** Seeds of the task's splits (distinct from `CORPUS_SEEDS`). */
export const TASK_SEEDS = { train: 22001, val: 22002, test: 22003 } as const;

/** One example: a person's profile, a question about it, the answer as JSON. */
export function taskExample(rng: RNG): ChatExample {
  const a = personProfile(rng);
  const [q, ans] = rng.pick(a.qa);
  return {
    skill: 'qa',
    messages: [
      { role: 'system', content: TASK_SYSTEM },
      { role: 'user', content: renderQAUser(a.sentences.join(' '), q) },
      { role: 'assistant', content: renderJSON({ answer: ans }) },
    ],
  };
}

/** n examples from a seed. */
export function makeTaskExamples(n: number, seed: number): ChatExample[] {
  const rng = new RNG(seed);
  return Array.from({ length: n }, () => taskExample(rng));
}

/** Training tokens of examples: reply-only loss, windows start at example starts. */
export function taskTokens(tok: Tokenizer, examples: ChatExample[]): TokenData {
  return chatToTokens(tok, examples);
}

/** The answer of a reply that is a JSON object with exactly the key "answer" (string or number), else null. */
export function parseAnswer(reply: string): string | null {
  try {
    const v: unknown = JSON.parse(reply);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const keys = Object.keys(v);
    const a = (v as Record<string, unknown>).answer;
    return keys.length === 1 && (typeof a === 'string' || typeof a === 'number') ? String(a) : null;
  } catch {
    return null;
  }
}

/** Scores of the task on some examples (greedy decoding). */
export interface TaskScore {
  n: number;
  /** Replies in the exact format. */
  format: number;
  /** Replies in the format with the right answer (the task's score). */
  exact: number;
  /** Every reply, in the examples' order (for other checks, e.g. PII in lesson 2.2.d). */
  replies: string[];
  samples: { question: string; expected: string; got: string }[];
  /** The first replies not in the format (what the model learned instead). */
  bad: { question: string; got: string }[];
}

/** Greedy replies of `model` to the examples, scored by `parseAnswer` + normalised exact match. */
export function scoreTask(model: LogitsModel, tok: Tokenizer, examples: ChatExample[], maxSamples = 4): TaskScore {
  let format = 0, exact = 0;
  const replies: string[] = [];
  const samples: TaskScore['samples'] = [], bad: TaskScore['bad'] = [];
  for (const ex of examples) {
    const expected = ex.messages[ex.messages.length - 1].content;
    const got = tok.decode(generateIds(model, promptIds(tok, ex), { maxTokens: 24, stopIds: [2, 0] }));
    const inner = parseAnswer(got);
    const question = ex.messages[1].content.split('\n').pop() ?? '';
    if (inner !== null) {
      format++;
      if (normalizeAnswer(inner) === normalizeAnswer(parseAnswer(expected)!)) exact++;
    } else if (bad.length < maxSamples) bad.push({ question, got });
    replies.push(got);
    if (samples.length < maxSamples) samples.push({ question, expected, got });
  }
  const n = Math.max(1, examples.length);
  return { n: examples.length, format: format / n, exact: exact / n, replies, samples, bad };
}

/**
 * Preference pairs as JSONL, one object a line: {"prompt": "...", "chosen": "...", "rejected": "..."}
 * (TRL's explicit-prompt preference format; an optional "system" key sets the system prompt, else
 * the lesson's instruction is used). Bad lines are reported with their line number and reason; the
 * rest are used. A prompt is "over the window" when prompt + the longer completion exceed the
 * model's context.
 */
import type { Tokenizer } from '../tokenizer';
import { ALIGN_SYSTEM, isAbstention, pairExample, type PreferencePair } from './pairs';
import { promptIds, replyIds } from '../tinylm/corpus';

/** One rejected line. */
export interface BadLine {
  line: number;
  reason: string;
}

/** Pairs as JSONL text (generated pairs keep their `answerable` flag). */
export function pairsToJsonl(pairs: PreferencePair[]): string {
  return pairs.map((p) => JSON.stringify({ prompt: p.user, chosen: p.chosen, rejected: p.rejected, ...(p.system !== ALIGN_SYSTEM ? { system: p.system } : {}), ...(p.answerable !== undefined ? { answerable: p.answerable } : {}) })).join('\n');
}

/** Tokens a pair takes in the window with its longer completion. */
export function pairLength(tok: Tokenizer, p: PreferencePair): number {
  const prompt = promptIds(tok, pairExample(p, '')).length;
  return prompt + Math.max(replyIds(tok, pairExample(p, p.chosen)).length, replyIds(tok, pairExample(p, p.rejected)).length);
}

/**
 * Parses JSONL pairs. Blank lines are skipped silently; every other bad line is reported:
 * not JSON, not an object, a missing or non-string field, an empty completion, identical chosen
 * and rejected, or (with a tokenizer) a pair longer than `window` tokens.
 */
export function parsePairsJsonl(text: string, tok?: Tokenizer, window = 256): { pairs: PreferencePair[]; bad: BadLine[]; lines: number[] } {
  // lines[i] is the JSONL line of pairs[i], so a later report about pair i (the worker's over-long check) can name its line.
  const pairs: PreferencePair[] = [], bad: BadLine[] = [], lines: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      bad.push({ line, reason: 'not valid JSON' });
      return;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return void bad.push({ line, reason: 'not a JSON object' });
    const o = v as Record<string, unknown>;
    for (const k of ['prompt', 'chosen', 'rejected']) if (typeof o[k] !== 'string') return void bad.push({ line, reason: `"${k}" is missing or not a string` });
    const prompt = (o.prompt as string).trim(), chosen = (o.chosen as string).trim(), rejected = (o.rejected as string).trim();
    if (!prompt) return void bad.push({ line, reason: 'empty prompt' });
    if (!chosen || !rejected) return void bad.push({ line, reason: `empty ${!chosen ? 'chosen' : 'rejected'} completion` });
    if (chosen === rejected) return void bad.push({ line, reason: 'chosen and rejected are identical (nothing to prefer)' });
    const system = typeof o.system === 'string' ? o.system : ALIGN_SYSTEM;
    const pair: PreferencePair = { system, user: prompt, chosen, rejected };
    if (typeof o.answerable === 'boolean') pair.answerable = o.answerable;
    else pair.answerable = !isAbstention(chosen); // the judge needs to know which replies must abstain
    if (tok) {
      const n = pairLength(tok, pair);
      if (n > window) return void bad.push({ line, reason: `${n} tokens: longer than the ${window}-token window` });
    }
    pairs.push(pair);
    lines.push(line);
  });
  return { pairs, bad, lines };
}

/**
 * Lesson 2.2.d's comparison: fine-tune once on the raw rows and once on the curated ones, same
 * steps and seed, and score both on the task's held-out prompts (`src/lib/finetune/task.ts`).
 * Shared by the curation lab (runs in the fine-tuning worker), `npm run finetune:measure` and
 * `npm run bench finetune`.
 */
import type { Tokenizer } from '../tokenizer';
import { renderChatML, type ChatMessage } from '../tinylm/corpus/instruct';
import { findPII, maskPII } from './filters';
import { curate, DEFAULT_CURATION, type CurationOptions, type RowDecision, type SftRow } from './dataset';

/** Steps of each run of the comparison (LoRA r 8 on all linear layers, the lab's default adapter). */
export const COMPARE_STEPS = 100;

/** Prompt ids (through "<|im_start|>assistant\n") and reply ids (ending with <|im_end|>) of a row in ChatML. */
export function templateIds(tok: Tokenizer, m: ChatMessage[]): { prompt: number[]; reply: number[] } {
  const prompt = tok.encode(renderChatML(m.slice(0, -1), true));
  const reply = [...tok.encode(m[m.length - 1].content, { allowedSpecial: [] }), 2];
  return { prompt, reply };
}

/** Tokens of a row in the chat template. */
export function templateLength(tok: Tokenizer, m: ChatMessage[]): number {
  const { prompt, reply } = templateIds(tok, m);
  return prompt.length + reply.length;
}

/** The two training sets: every readable row as it came, and the curated training split. */
export function comparisonRows(rows: SftRow[], decisions: RowDecision[]): { raw: ChatMessage[][]; curated: ChatMessage[][] } {
  return { raw: rows.map((r) => r.messages), curated: decisions.filter((d) => d.split === 'train').map((d) => d.messages) };
}

/** Curates `rows` with the lab's default pipeline and returns both training sets. */
export function defaultComparison(tok: Tokenizer, rows: SftRow[], o: CurationOptions = DEFAULT_CURATION) {
  return comparisonRows(rows, curate(rows, (m) => templateLength(tok, m), o));
}

/** Rows whose reply carries an e-mail address, phone number or IP address (the memorization probes). */
export function piiReplyRows(rows: ChatMessage[][], max = 8): ChatMessage[][] {
  const seen = new Set<string>(), out: ChatMessage[][] = [];
  for (const m of rows) {
    const x = maskPII(m[m.length - 1].content);
    const key = renderChatML(m.slice(0, -1));
    if (x.emails + x.phones + x.ips === 0 || seen.has(key)) continue;
    seen.add(key);
    out.push(m);
    if (out.length >= max) break;
  }
  return out;
}

/**
 * PII of `trainingReply` that `reply` writes out again: an item counts when its first 8 characters
 * appear (a phone number cut short after "555-201-" has leaked all the same).
 */
export function leakedPII(reply: string, trainingReply: string): string[] {
  return findPII(trainingReply).filter((p) => reply.includes(p.slice(0, 8)));
}

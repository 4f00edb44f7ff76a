/**
 * The shipped models' measured figures, read from the `metrics.json` files that
 * `npm run tinylm -- eval` writes beside each model in public/models/. Lesson text and labs quote
 * these (never retyped numbers), so retraining the models updates every sentence that cites them.
 */
import base from '../../../public/models/tinylm-base/metrics.json';
import chat from '../../../public/models/tinylm-chat/metrics.json';
import draft from '../../../public/models/tinylm-draft/metrics.json';

export const SHIPPED_METRICS = { base, chat, draft } as const;

/** A rate as a whole percentage for prose ("95%"). */
export function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

/** The chat model on the town register (40 questions): exact match with 1, 2 and no retrieved profiles. */
export const REGISTER_RAG = {
  questions: chat.registerRag.withRetrieval.n,
  topK1: chat.registerRag.withRetrieval.exactMatch,
  topK2: chat.registerRag.withTwoPassages.exactMatch,
  noRetrieval: chat.registerRag.withoutRetrieval.exactMatch,
} as const;

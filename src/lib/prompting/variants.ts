/**
 * The variants the prompt-engineering lab compares side by side. Each is a recipe that turns the
 * learner's question, examples and two system prompts into a `PromptSpec`.
 */
import { buildMessages, type AnswerFormat, type FewShotExample, type PromptSpec } from './builders';
import type { ChatMessage } from '../engine/types';

export const VARIANT_IDS = ['zero', 'few', 'zero-cot', 'few-cot', 'system-b'] as const;
export type VariantId = (typeof VARIANT_IDS)[number];

export interface VariantInfo {
  id: VariantId;
  label: string;
  /** which study-plan technique it demonstrates */
  technique: 'shots' | 'cot' | 'system';
  describe: string;
}

export const VARIANTS: Record<VariantId, VariantInfo> = {
  zero: { id: 'zero', label: 'Zero-shot', technique: 'shots', describe: 'Just the question and the answer format, under system prompt A.' },
  few: { id: 'few', label: 'Few-shot', technique: 'shots', describe: 'Your examples as earlier chat turns, then the question.' },
  'zero-cot': { id: 'zero-cot', label: 'Zero-shot CoT', technique: 'cot', describe: '"Think step by step" before the final answer.' },
  'few-cot': { id: 'few-cot', label: 'Few-shot CoT', technique: 'cot', describe: 'Examples that show their worked reasoning, then the question.' },
  'system-b': { id: 'system-b', label: 'System prompt B', technique: 'system', describe: 'Zero-shot again, under system prompt B instead of A.' },
};

export interface LabPromptInput {
  question: string;
  examples: FewShotExample[];
  systemA: string;
  systemB: string;
  /** 'plain' for a model's own format (no "Answer:" line); default 'answer-line' */
  format?: AnswerFormat;
}

/** The prompt spec for one variant. */
export function variantSpec(id: VariantId, input: LabPromptInput): PromptSpec {
  const base = { question: input.question, system: input.systemA, format: input.format };
  switch (id) {
    case 'zero':
      return { ...base, examples: [], cot: 'none' };
    case 'few':
      return { ...base, examples: input.examples, cot: 'none' };
    case 'zero-cot':
      return { ...base, examples: [], cot: 'zero-shot' };
    case 'few-cot':
      return { ...base, examples: input.examples, cot: 'few-shot' };
    case 'system-b':
      return { ...base, system: input.systemB, examples: [], cot: 'none' };
  }
}

/** The messages one variant sends. */
export function variantMessages(id: VariantId, input: LabPromptInput): ChatMessage[] {
  return buildMessages(variantSpec(id, input));
}

/**
 * Which study-plan tasks a completed comparison demonstrates: 1.2.a needs zero-shot and few-shot
 * side by side; 1.2.b needs a chain-of-thought variant and a system-prompt comparison
 * (possibly over separate runs: pass every variant run so far).
 */
export function tasksDemonstrated(ran: Iterable<VariantId>): { '1.2.a': boolean; '1.2.b': boolean } {
  const s = new Set(ran);
  return {
    '1.2.a': s.has('zero') && s.has('few'),
    '1.2.b': (s.has('zero-cot') || s.has('few-cot')) && s.has('system-b'),
  };
}

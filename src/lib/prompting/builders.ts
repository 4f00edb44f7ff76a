/**
 * Prompt builders for the prompt-engineering lab: zero-shot and few-shot prompts, with or
 * without chain-of-thought, under a chosen system prompt. Each variant becomes an ordinary
 * `ChatMessage[]`, so the learner can see exactly what the model receives.
 */
import type { ChatMessage } from '../engine/types';

export interface FewShotExample {
  input: string;
  output: string;
  /** worked reasoning shown before the answer in few-shot chain-of-thought */
  reasoning?: string;
}

/** 'none': answer directly · 'zero-shot': "think step by step" · 'few-shot': examples show their reasoning. */
export type CotMode = 'none' | 'zero-shot' | 'few-shot';

/** How examples are laid out: as past chat turns (chat-native) or inline in one user message. */
export type ExampleStyle = 'messages' | 'inline';

export interface PromptSpec {
  system: string;
  question: string;
  /** empty = zero-shot */
  examples: FewShotExample[];
  cot: CotMode;
  exampleStyle?: ExampleStyle;
  /**
   * 'answer-line' (default): ask for and show "Answer: …" so answers compare across models.
   * 'plain': no added instruction, example replies are the bare answer — the shape a small model
   * was trained on (TinyLM answers context questions with just the span; an extra instruction line
   * is text it never saw).
   */
  format?: AnswerFormat;
}

export type AnswerFormat = 'answer-line' | 'plain';

/** The line every variant asks for, so answers can be compared across variants and runs. */
export const ANSWER_PREFIX = 'Answer:';

export const DIRECT_INSTRUCTION = `Reply with only the final answer, as "${ANSWER_PREFIX} …".`;
export const COT_INSTRUCTION = `Think step by step, then end with "${ANSWER_PREFIX} …".`;

/** How an example's assistant reply looks under the given chain-of-thought mode and answer format. */
export function exampleReply(ex: FewShotExample, cot: CotMode, format: AnswerFormat = 'answer-line'): string {
  const answer = format === 'plain' ? ex.output.trim() : `${ANSWER_PREFIX} ${ex.output.trim()}`;
  if (cot === 'few-shot' && ex.reasoning?.trim()) return `${ex.reasoning.trim()}\n${answer}`;
  return answer;
}

/** The instruction appended to the question ('' when the plain format adds none). */
export function instructionFor(cot: CotMode, format: AnswerFormat = 'answer-line'): string {
  if (format === 'plain') return cot === 'zero-shot' ? 'Think step by step.' : '';
  return cot === 'none' ? DIRECT_INSTRUCTION : COT_INSTRUCTION;
}

/** Builds the messages for one prompt variant. */
export function buildMessages(spec: PromptSpec): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (spec.system.trim()) messages.push({ role: 'system', content: spec.system.trim() });
  const examples = spec.examples.filter((e) => e.input.trim() && e.output.trim());
  const format = spec.format ?? 'answer-line';
  const instruction = instructionFor(spec.cot, format);
  const withInstruction = (q: string) => (instruction ? `${q}\n\n${instruction}` : q);
  if ((spec.exampleStyle ?? 'messages') === 'messages') {
    // The instruction goes with the real question only: the examples' replies already show the
    // format, and repeating it per example costs context (TinyLM has 256 tokens in all).
    for (const ex of examples) {
      messages.push({ role: 'user', content: ex.input.trim() });
      messages.push({ role: 'assistant', content: exampleReply(ex, spec.cot, format) });
    }
    messages.push({ role: 'user', content: withInstruction(spec.question.trim()) });
  } else {
    const parts: string[] = [];
    if (examples.length) {
      parts.push('Here are some solved examples.');
      for (const ex of examples) parts.push(`Question: ${ex.input.trim()}\n${exampleReply(ex, spec.cot, format)}`);
      parts.push('Now the real question.');
    }
    parts.push(`Question: ${spec.question.trim()}`);
    if (instruction) parts.push(instruction);
    messages.push({ role: 'user', content: parts.join('\n\n') });
  }
  return messages;
}

/** A short human label for a variant: "few-shot (3) · CoT". */
export function variantLabel(spec: Pick<PromptSpec, 'examples' | 'cot'>): string {
  const n = spec.examples.filter((e) => e.input.trim() && e.output.trim()).length;
  const shots = n ? `few-shot (${n})` : 'zero-shot';
  const cot = spec.cot === 'none' ? '' : spec.cot === 'zero-shot' ? ' · step by step' : ' · worked examples';
  return shots + cot;
}

/**
 * Pulls the final answer out of a reply: the text after the last "Answer:" if there is one,
 * otherwise the last non-empty line. Markdown emphasis and trailing full stops are removed.
 */
export function extractAnswer(reply: string): string {
  const text = reply.replace(/\r/g, '');
  const re = /answer\s*[:：]\s*(.*)/gi;
  let last: string | undefined;
  for (const m of text.matchAll(re)) if (m[1].trim()) last = m[1];
  if (last === undefined) {
    const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
    last = lines.at(-1) ?? '';
  }
  return last
    // Markdown emphasis goes; an underscore inside a word stays (get_weather, <tool_call>)
    .replace(/[*`]+/g, '')
    .replace(/(^|\s)_+|_+(?=\s|$)/g, '$1')
    .trim()
    .replace(/[.。!]+$/, '')
    .trim();
}

import * as v from 'valibot';
import { defineLab } from '../types';
import { PROMPT_TASKS } from '../../lib/prompting/presets';

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));

const schema = v.object({
  /** preset task id, or 'custom' once edited */
  task: text(40),
  question: text(2000),
  /** the correct answer ('' = unknown: agreement only) */
  expected: text(200),
  examples: v.pipe(v.array(v.object({ input: text(1000), output: text(300), reasoning: v.optional(text(1500), '') })), v.maxLength(8)),
  systemA: text(1500),
  systemB: text(1500),
  variants: v.pipe(v.array(v.picklist(['zero', 'few', 'zero-cot', 'few-cot', 'system-b'])), v.maxLength(5)),
  runs: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20)),
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1)),
  temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(2)),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(1024)),
  /** the model the results were made with ('' = whatever is current) */
  model: text(200),
  /** answer format: 'plain' for TinyLM's own (optional: older links lack it) */
  format: v.optional(v.picklist(['answer-line', 'plain']), 'answer-line'),
});

export type PromptingState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'prompting',
  topic: '1.2',
  title: 'Zero-shot, few-shot, chain-of-thought and system prompts',
  summary: 'Run the same question as several prompt variants, N times each with fixed seeds, and compare the answers and how often the runs agree.',
  tasks: ['1.2.a', '1.2.b'],
  schema,
  defaults: (): PromptingState => {
    const t = PROMPT_TASKS[0];
    return {
      task: t.id,
      question: t.question,
      expected: t.expected,
      examples: t.examples.map((e) => ({ input: e.input, output: e.output, reasoning: e.reasoning ?? '' })),
      systemA: t.systemA ?? 'You are a helpful assistant.',
      systemB: t.systemB ?? 'Check every step before you answer.',
      variants: ['zero', 'few', 'zero-cot', 'few-cot', 'system-b'],
      runs: 3,
      seed: 1,
      temperature: 0.7,
      maxTokens: 64,
      model: '',
      format: t.format ?? 'answer-line',
    };
  },
  component: () => import('./PromptingLab.svelte'),
});

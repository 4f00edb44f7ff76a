import * as v from 'valibot';
import { defineLab } from '../types';

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
});

export type PromptingState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'prompting',
  topic: '1.2',
  title: 'Zero-shot, few-shot, chain-of-thought and system prompts',
  summary: 'Run the same question as several prompt variants, N times each with fixed seeds, and compare the answers and how often the runs agree.',
  tasks: ['1.2.a', '1.2.b'],
  schema,
  defaults: (): PromptingState => ({
    task: 'arithmetic',
    question: 'A café has 23 muffins. It sells 20 in the morning and bakes 6 more at noon. How many muffins does it have now?',
    expected: '9',
    examples: [
      { input: 'Tom has 5 marbles. He buys 3 bags with 4 marbles each. How many marbles does he have?', output: '17', reasoning: '3 bags of 4 is 12 marbles. 5 + 12 = 17.' },
      { input: 'A shelf holds 40 books. 15 are lent out and 8 are returned. How many books are on the shelf?', output: '33', reasoning: 'After lending: 40 - 15 = 25. After returns: 25 + 8 = 33.' },
    ],
    systemA: 'You are a helpful assistant.',
    systemB: 'You are a careful problem solver. Check every step of your work before giving the final answer.',
    variants: ['zero', 'few', 'zero-cot', 'few-cot', 'system-b'],
    runs: 3,
    seed: 1,
    temperature: 0.7,
    maxTokens: 96,
    model: '',
  }),
  component: () => import('./PromptingLab.svelte'),
});

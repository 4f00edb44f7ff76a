import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  /** 'tinylm': the full distribution from the built-in model; 'engine': top-20 logprobs of the model chosen in the picker */
  source: v.optional(v.picklist(['tinylm', 'engine']), 'tinylm'),
  model: v.picklist(['tinylm-base', 'tinylm-chat']),
  prompt: v.pipe(v.string(), v.maxLength(600)),
  temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(3)),
  topK: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(200)),
  topP: v.pipe(v.number(), v.minValue(0.01), v.maxValue(1)),
  minP: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  repetitionPenalty: v.pipe(v.number(), v.minValue(1), v.maxValue(3)),
  presencePenalty: v.pipe(v.number(), v.minValue(-2), v.maxValue(2)),
  frequencyPenalty: v.pipe(v.number(), v.minValue(-2), v.maxValue(2)),
  n: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20)),
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1)),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(64)),
});

export type SamplingState = v.InferOutput<typeof schema>;

/** The settings that count as "unchanged" for task 1.1.c. */
export const SAMPLING_DEFAULTS: SamplingState = {
  source: 'tinylm', model: 'tinylm-base', prompt: 'Once upon a time, there was a little', temperature: 1, topK: 0, topP: 1, minP: 0,
  repetitionPenalty: 1, presencePenalty: 0, frequencyPenalty: 0, n: 8, seed: 1, maxTokens: 20,
};

export default defineLab({
  id: 'sampling',
  topic: '1.1',
  title: 'Sampling: temperature, top-k, top-p, min-p, penalties',
  summary: "A real next-token distribution for your prompt (TinyLM, or any loaded model with logprobs), transformed live by each knob; draw seeded samples and compare with greedy.",
  tasks: ['1.1.c'],
  schema,
  defaults: (): SamplingState => ({ ...SAMPLING_DEFAULTS }),
  component: () => import('./SamplingLab.svelte'),
});

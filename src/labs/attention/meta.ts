import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  prompt: v.pipe(v.string(), v.maxLength(400)),
  layer: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(31)),
  head: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(31)),
  /** query position; -1 = the last token */
  pos: v.pipe(v.number(), v.integer(), v.minValue(-1), v.maxValue(255)),
});

export type AttentionState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'attention',
  topic: '2.1',
  title: 'Self-attention on your prompt',
  summary: "TinyLM's attention per layer and head for your text; hover a token to see where it looks, and the q·k → scale → mask → softmax arithmetic behind it.",
  tasks: ['2.1.a'],
  schema,
  defaults: (): AttentionState => ({ prompt: 'One day, a little girl named Mia went to the park. Mia saw a big dog. Mia', layer: 0, head: 0, pos: -1 }),
  component: () => import('./AttentionLab.svelte'),
});

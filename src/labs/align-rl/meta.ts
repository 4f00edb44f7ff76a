import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  nPairs: v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(512)),
  rmSteps: v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(2000)),
  sftSteps: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100)),
  rlSteps: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(200)),
  beta: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  lr: v.pipe(v.number(), v.minValue(1e-4), v.maxValue(2e-2)),
  iterations: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(4)),
  temperature: v.pipe(v.number(), v.minValue(0.1), v.maxValue(2)),
  /** 'model': the trained reward model (RLHF); 'program': the program's verdict as a verifiable reward. */
  reward: v.picklist(['model', 'program']),
});

export type RlState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'align-rl',
  topic: '2.3',
  title: 'RLHF: a reward model, then GRPO, next to DPO',
  summary: 'The classic route on the same preference pairs: fit a Bradley–Terry reward model on the chat model, then reinforce the chat model’s own samples against it with GRPO. Watch the reward, the KL and a program’s verdict side by side.',
  tasks: ['2.3.b'],
  schema,
  defaults: (): RlState => ({ nPairs: 256, rmSteps: 400, sftSteps: 12, rlSteps: 30, beta: 0.1, lr: 0.002, iterations: 1, temperature: 1, reward: 'model' }),
  component: () => import('./RlLab.svelte'),
});

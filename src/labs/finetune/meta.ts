import * as v from 'valibot';
import { defineLab } from '../types';

const target = v.picklist(['q', 'k', 'v', 'o', 'gate', 'up', 'down']);
const schema = v.object({
  method: v.picklist(['full', 'lora', 'qlora']),
  r: v.picklist([1, 2, 4, 8, 16]),
  alpha: v.pipe(v.number(), v.minValue(0.5), v.maxValue(128)),
  targets: v.pipe(v.array(target), v.minLength(1), v.maxLength(7)),
  rslora: v.boolean(),
  dropout: v.pipe(v.number(), v.minValue(0), v.maxValue(0.5)),
  steps: v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(400)),
});

export type FinetuneState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'finetune',
  topic: '2.2',
  title: 'Full fine-tuning vs LoRA vs QLoRA',
  summary: 'Teach the built-in chat model a new answer format in about a minute, three ways, and compare loss, trainable parameters, memory and the held-out score.',
  tasks: ['2.2.a', '2.2.b', '2.2.c'],
  schema,
  defaults: (): FinetuneState => ({ method: 'lora', r: 8, alpha: 16, targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'], rslora: false, dropout: 0, steps: 100 }),
  component: () => import('./FinetuneLab.svelte'),
});

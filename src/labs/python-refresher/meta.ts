import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  answers: v.pipe(v.array(v.pipe(v.string(), v.maxLength(200))), v.maxLength(16)),
});

export type PythonRefresherState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'python-refresher',
  topic: '1.0',
  title: 'Python refresher: virtual envs and the data structures the labs use',
  summary: 'Predict what each snippet prints; each answer explains where the structure shows up in LLM code.',
  tasks: ['1.0.a'],
  schema,
  defaults: () => ({ answers: [] }),
  component: () => import('./PythonRefresherLab.svelte'),
});

import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  query: v.pipe(v.string(), v.maxLength(500)),
  /** which router drives the chain when you ask */
  driver: v.picklist(['keyword', 'semantic', 'llm']),
  /** the learner's keyword rules; '' = the shipped rules */
  rules: v.pipe(v.string(), v.maxLength(3000)),
  /** the learner's labelled examples; '' = the shipped examples */
  examples: v.pipe(v.string(), v.maxLength(6000)),
  k: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(9)),
  /** give the LLM router a system message describing the routes */
  describe: v.boolean(),
  model: v.pipe(v.string(), v.maxLength(200)),
});

export type RouterState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'lc-router',
  topic: '1.3',
  title: 'Router chain: three routers on the same queries',
  summary: 'Send each query to a calculator tool, retrieval over the course, the chat model or a GPU model — chosen by keyword rules, by the nearest labelled examples (embeddings), or by the model itself with its output constrained to the route names — and measure each router on 64 labelled queries.',
  tasks: ['1.3.c'],
  schema,
  defaults: (): RouterState => ({
    query: 'What is 15% of 80?',
    driver: 'keyword',
    rules: '',
    examples: '',
    k: 3,
    describe: true,
    model: '',
  }),
  component: () => import('./RouterLab.svelte'),
});

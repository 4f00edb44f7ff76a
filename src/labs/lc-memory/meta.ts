import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  /** 'context': TinyLM's trained QA format; 'messages': system + history + new message (chat models) */
  style: v.picklist(['context', 'messages']),
  k: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(20)),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(512)),
  system: v.pipe(v.string(), v.maxLength(1000)),
  draft: v.pipe(v.string(), v.maxLength(1000)),
  temperature: v.pipe(v.number(), v.minValue(0), v.maxValue(2)),
  seed: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 31 - 1)),
  model: v.pipe(v.string(), v.maxLength(200)),
});

export type MemoryState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'lc-memory',
  topic: '1.3',
  title: 'Conversation memory: four strategies and no memory, side by side',
  summary: 'One conversation, five memories (none, whole buffer, last k turns, token-budget trimming, running summary) through LangChain’s RunnableWithMessageHistory, stored in IndexedDB; every turn shows the exact prompt and its tokens against the window.',
  tasks: ['1.3.b'],
  schema,
  defaults: (): MemoryState => ({
    style: 'context',
    k: 3,
    maxTokens: 32,
    system: 'Answer the question with words from the context.',
    draft: '',
    temperature: 0,
    seed: 1,
    model: '',
  }),
  component: () => import('./MemoryLab.svelte'),
});

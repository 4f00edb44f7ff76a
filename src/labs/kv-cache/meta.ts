import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  prompt: v.pipe(v.string(), v.maxLength(600)),
  maxTokens: v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(240)),
  /** Context length for the web-llm model table. */
  context: v.pipe(v.number(), v.integer(), v.minValue(256), v.maxValue(131072)),
  /** Bytes per cached value for the web-llm table (2 = f16, 1 = 8-bit cache). */
  kvBytes: v.picklist([1, 2, 4]),
});

export type KvCacheState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'kv-cache',
  topic: '3.1',
  title: 'The KV cache: same tokens, flat cost per step, and what it costs in memory',
  summary: "Decode with TinyLM's KV cache and without it (recomputing the whole prefix each step): identical tokens, per-step time against position, and the cache's real buffers against 2 · layers · KV heads · head dim · bytes — for TinyLM's grouped-query attention, full multi-head attention and web-llm's models.",
  tasks: ['3.1.b'],
  schema,
  defaults: (): KvCacheState => ({ prompt: 'One day, a little boy named Ben went to the park. He saw a big', maxTokens: 120, context: 4096, kvBytes: 2 }),
  component: () => import('./KvCacheLab.svelte'),
});

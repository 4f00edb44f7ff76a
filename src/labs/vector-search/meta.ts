import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  /** 'course' or the id of a collection in this browser */
  collection: v.pipe(v.string(), v.maxLength(64)),
  index: v.picklist(['flat', 'voy']),
  mode: v.picklist(['dense', 'bm25', 'hybrid']),
  /** hybrid: weight of the dense ranking */
  mix: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  k: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20)),
  query: v.pipe(v.string(), v.maxLength(300)),
});

export type VectorSearchState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'vector-search',
  topic: '1.4',
  title: 'Search a collection: vectors, BM25, hybrid',
  summary: 'Rank chunks by cosine similarity (flat scan or voy k-d tree), by BM25, or fused; time the indexes side by side; score retrievers on labelled course questions.',
  tasks: ['1.4.c'],
  schema,
  defaults: (): VectorSearchState => ({ collection: 'course', index: 'flat', mode: 'hybrid', mix: 0.5, k: 5, query: 'why do k-d trees get slow with many dimensions?' }),
  component: () => import('./VectorSearchLab.svelte'),
});

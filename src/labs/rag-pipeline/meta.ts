import * as v from 'valibot';
import { defineLab } from '../types';
import { DEFAULT_TEMPLATE } from '../../lib/rag/pipeline';

const schema = v.object({
  /** 'course' or the id of a collection in this browser */
  collection: v.pipe(v.string(), v.maxLength(64)),
  query: v.pipe(v.string(), v.maxLength(300)),
  k: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10)),
  mode: v.picklist(['dense', 'bm25', 'hybrid']),
  template: v.pipe(v.string(), v.maxLength(2000)),
  /** also answer without retrieval, to compare */
  compare: v.boolean(),
});

export type RagPipelineState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'rag-pipeline',
  topic: '1.4',
  title: 'Ask the course: a RAG pipeline step by step',
  summary: 'Query → retrieve top-k chunks → fill the prompt template → generate a streamed answer with numbered citations; compare with no retrieval.',
  tasks: ['1.4.d'],
  schema,
  defaults: (): RagPipelineState => ({ collection: 'course', query: 'Why should chunks overlap?', k: 3, mode: 'hybrid', template: DEFAULT_TEMPLATE, compare: false }),
  component: () => import('./RagPipelineLab.svelte'),
});

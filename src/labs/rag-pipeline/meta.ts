import * as v from 'valibot';
import { defineLab } from '../types';
import { TINY_TEMPLATE } from '../../lib/rag/pipeline';

const schema = v.object({
  /** 'course' or the id of a collection in this browser */
  collection: v.pipe(v.string(), v.maxLength(64)),
  query: v.pipe(v.string(), v.maxLength(300)),
  k: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10)),
  mode: v.picklist(['dense', 'bm25', 'hybrid']),
  template: v.pipe(v.string(), v.maxLength(2000)),
  /** also answer without retrieval, to compare */
  compare: v.boolean(),
  /** stop before generating when no passage is relevant (optional: older links lack it) */
  abstain: v.optional(v.boolean(), true),
});

export type RagPipelineState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'rag-pipeline',
  topic: '1.4',
  title: 'A RAG pipeline step by step: the town register and the course',
  summary: 'Query → retrieve top-k chunks → gate on relevance → fill the prompt template within the model\'s window → generate a streamed answer with citations; compare with no retrieval.',
  tasks: ['1.4.d'],
  schema,
  // Defaults that work on the built-in TinyLM: its own prompt format, one passage, a question the
  // register answers. The course collection and the numbered-sources template are one click away.
  defaults: (): RagPipelineState => ({ collection: 'register', query: 'Where does Mosan live?', k: 1, mode: 'hybrid', template: TINY_TEMPLATE, compare: true, abstain: true }),
  component: () => import('./RagPipelineLab.svelte'),
});

import * as v from 'valibot';
import { defineLab } from '../types';

const schema = v.object({
  splitter: v.picklist(['fixed', 'recursive', 'token', 'markdown', 'sentence']),
  /** characters (tokens for the token splitter) */
  size: v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(4000)),
  overlap: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2000)),
  /** id of the learner's collection ('' = none chosen yet); ids are local to this browser */
  collection: v.pipe(v.string(), v.maxLength(64)),
  /** embedder for new collections and re-embedding */
  embedder: v.pipe(v.string(), v.maxLength(120)),
});

export type IngestionState = v.InferOutput<typeof schema>;

export default defineLab({
  id: 'ingestion',
  topic: '1.4',
  title: 'Ingest documents: load, split, embed, store',
  summary: 'Drop text, Markdown, HTML or PDF files; compare five splitters on a live preview; store chunks and vectors in IndexedDB, one transaction per document.',
  tasks: ['1.4.b'],
  schema,
  defaults: (): IngestionState => ({ splitter: 'recursive', size: 400, overlap: 60, collection: '', embedder: 'lexical-hash-768' }),
  component: () => import('./IngestionLab.svelte'),
});

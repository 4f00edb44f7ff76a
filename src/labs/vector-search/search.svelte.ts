/**
 * The vector-search lab's work: open a collection with the chosen index (rebuilt from stored
 * vectors), run queries (newest wins), time the indexes in the worker, score retrievers on the
 * labelled course questions.
 */
import { explainError, isAbort } from '../../lib/errors';
import { evaluateCourseRetrieval } from '../../lib/rag/course-qrels';
import type { RunMetrics } from '../../lib/rag/metrics';
import type { RetrieverMode, SearchResult } from '../../lib/rag/retriever';
import type { IndexTiming } from '../../lib/rag/worker-api';
import type { RagClient } from '../../lib/rag/client';
import type { IndexKind, OpenedCollection, RagSession } from '../rag-common/session.svelte';

export class SearchRun {
  results = $state<SearchResult[]>([]);
  searchMs = $state(0);
  buildMs = $state(0);
  /** The last failure (a message or a LabError, shown through ErrorNotice); '' when none. */
  error = $state<unknown>('');
  opened = $state<OpenedCollection | null>(null);
  timings = $state<IndexTiming[]>([]);
  timingStage = $state('');
  timingBusy = $state(false);
  evalRows = $state<Array<{ label: string; metrics: RunMetrics }>>([]);
  evalSkipped = $state(0);
  #key = '';
  #seq = 0;
  #timing: AbortController | null = null;

  constructor(
    private readonly session: RagSession,
    private readonly client: RagClient,
  ) {}

  /** Runs a query; only the newest call's results are kept. Returns true when shown. */
  async search(collection: string, index: IndexKind, query: string, opts: { k: number; mode: RetrieverMode; mix: number }): Promise<boolean> {
    const seq = ++this.#seq;
    try {
      const key = `${collection}|${index}`;
      if (!this.opened || this.#key !== key) {
        const opened = await this.session.open(collection, index);
        if (seq !== this.#seq) return false;
        this.opened = opened;
        this.#key = key;
        this.buildMs = opened.buildMs;
      }
      if (!query.trim()) {
        this.error = 'Type a question or some keywords.';
        return false;
      }
      const t0 = performance.now();
      const results = await this.opened.retriever.search(query, opts);
      if (seq !== this.#seq) return false;
      this.searchMs = performance.now() - t0;
      this.results = results;
      this.error = '';
      return true;
    } catch (e) {
      if (seq === this.#seq) {
        this.error = e;
      }
      return false;
    }
  }

  /** Times flat vs voy vs naive on n random vectors (worker). */
  async timeIndexes(n: number, dims: number): Promise<void> {
    this.timingBusy = true;
    this.timings = [];
    try {
      this.#timing = new AbortController();
      this.timings = await this.client.call('timeIndexes', [n, dims, 40, 10], { signal: this.#timing.signal, onProgress: (s) => void (this.timingStage = s) });
      this.timingStage = '';
    } catch (e) {
      this.timingStage = isAbort(e) ? 'Cancelled.' : `Failed: ${explainError(e)}`;
    } finally {
      this.timingBusy = false;
      this.#timing = null;
    }
  }

  cancelTiming(): void {
    this.#timing?.abort();
  }

  /** Scores BM25, lexical dense and hybrid on the labelled course questions. */
  async evaluate(mix: number): Promise<void> {
    const course = await this.session.course();
    const { rows, skipped } = await evaluateCourseRetrieval(course.retriever, course.docs, [
      { label: 'BM25', mode: 'bm25' },
      { label: 'Lexical embeddings (flat)', mode: 'dense' },
      { label: `Hybrid RRF (mix ${mix.toFixed(2)})`, mode: 'hybrid', mix },
    ]);
    this.evalRows = rows;
    this.evalSkipped = skipped.length;
  }
}

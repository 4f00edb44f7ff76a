/**
 * The RAG pipeline lab's run: retrieve → augment → extractive baseline → generate (streamed,
 * cancellable), and optionally the same question without retrieval. The engine is the lab's
 * (`ctx.engine`, the current model); without one, the extractive answer still works.
 */
import type { EngineSource } from '../../ui/chat/engine-access';
import { augment, extractiveAnswer, generate, NO_RETRIEVAL_TEMPLATE, type ExtractiveAnswer } from '../../lib/rag/pipeline';
import type { RetrieverMode, SearchResult } from '../../lib/rag/retriever';
import type { OpenedCollection, RagSession } from '../rag-common/session.svelte';

export type Step = 'idle' | 'retrieving' | 'augmenting' | 'generating' | 'done' | 'error';

export class PipelineRun {
  step = $state<Step>('idle');
  results = $state<SearchResult[]>([]);
  retrieveMs = $state(0);
  prompt = $state('');
  extractive = $state<ExtractiveAnswer | null>(null);
  answer = $state('');
  bare = $state('');
  modelLabel = $state('');
  /** Failures, shown through ErrorNotice (a message or a LabError; '' when none). */
  generationError = $state<unknown>('');
  error = $state<unknown>('');
  opened = $state<OpenedCollection | null>(null);
  #key = '';
  #ac: AbortController | null = null;

  constructor(
    private readonly session: RagSession,
    private readonly models: EngineSource | null,
  ) {}

  stop(): void {
    this.#ac?.abort();
  }

  /** Runs the whole pipeline; resolves true once retrieval and an answer are on screen. */
  async run(opts: { collection: string; query: string; k: number; mode: RetrieverMode; template: string; compare: boolean; generateWithModel: boolean }): Promise<boolean> {
    this.#ac?.abort();
    const ac = new AbortController();
    this.#ac = ac;
    this.error = '';
    this.generationError = '';
    this.answer = '';
    this.bare = '';
    try {
      if (!opts.query.trim()) throw new Error('Ask a question first.');
      this.step = 'retrieving';
      if (!this.opened || this.#key !== opts.collection) {
        this.opened = await this.session.open(opts.collection, 'flat');
        this.#key = opts.collection;
      }
      const t0 = performance.now();
      this.results = await this.opened.retriever.search(opts.query, { k: opts.k, mode: opts.mode, mix: 0.5 });
      this.retrieveMs = performance.now() - t0;
      this.step = 'augmenting';
      this.prompt = augment(opts.template, opts.query, this.results);
      this.extractive = extractiveAnswer(opts.query, this.results);
      if (opts.generateWithModel) {
        this.step = 'generating';
        await this.#generate(opts, ac);
      }
      this.step = 'done';
      return true;
    } catch (e) {
      this.step = 'error';
      this.error = e;
      return false;
    } finally {
      if (this.#ac === ac) this.#ac = null;
    }
  }

  async #generate(opts: { query: string; compare: boolean }, ac: AbortController): Promise<void> {
    if (!this.models) {
      this.generationError = 'No model is available in this view; the extractive answer above needs none.';
      return;
    }
    try {
      const { engine } = await this.models.get();
      this.modelLabel = this.models.label;
      for await (const d of generate(engine, this.prompt, { signal: ac.signal, maxTokens: 160 })) this.answer += d;
      if (opts.compare) {
        const bare = NO_RETRIEVAL_TEMPLATE.replace('{question}', opts.query);
        for await (const d of generate(engine, bare, { signal: ac.signal, maxTokens: 160 })) this.bare += d;
      }
    } catch (e) {
      if (ac.signal.aborted) return;
      this.generationError = e;
    }
  }
}

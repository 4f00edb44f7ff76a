/**
 * The RAG pipeline lab's run: retrieve → augment → extractive baseline → generate (streamed,
 * cancellable), and optionally the same question without retrieval. The engine is the lab's
 * (`ctx.engine`, the current model); without one, the extractive answer still works.
 */
import type { EngineSource } from '../../ui/chat/engine-access';
import { augment, extractiveAnswer, generate, NO_RETRIEVAL_TEMPLATE, type ExtractiveAnswer } from '../../lib/rag/pipeline';
import type { RetrieverMode, SearchResult } from '../../lib/rag/retriever';
import type { OpenedCollection, RagSession } from '../rag-common/session.svelte';
import { relevanceGate, type GateResult } from '../../lib/rag/abstain';
import { estimateTokens, fitPrompt, type FittedPrompt } from '../../lib/rag/budget';
import { REGISTER_COLLECTION_ID } from '../../lib/rag/register';
import { LabError } from '../../lib/errors';
import abstention from '../../lib/rag/abstention.json';

/** The gate's threshold per collection it was calibrated on (see scripts/rag-abstention.ts). */
export const GATE_THRESHOLDS: Record<string, number> = { [REGISTER_COLLECTION_ID]: abstention.threshold };
/** tokens the chat template adds around a prompt (role markers; ChatML needs ~8) */
const TEMPLATE_OVERHEAD = 16;

export interface RunOptions {
  collection: string;
  query: string;
  k: number;
  mode: RetrieverMode;
  template: string;
  compare: boolean;
  /** stop before generating when no passage is relevant (collections with a calibrated gate) */
  abstain: boolean;
  generateWithModel: boolean;
}

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
  /** the relevance gate's verdict (null: no calibrated gate for this collection, or switched off) */
  gate = $state<GateResult | null>(null);
  /** the prompt as fitted into the model's window before sending */
  fitted = $state<FittedPrompt | null>(null);
  /** whether `fitted.tokens` came from the model's tokenizer (else an estimate) */
  exactCount = $state(false);
  contextWindow = $state(0);
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
  async run(opts: RunOptions): Promise<boolean> {
    this.#ac?.abort();
    const ac = new AbortController();
    this.#ac = ac;
    this.error = '';
    this.generationError = '';
    this.answer = '';
    this.bare = '';
    this.fitted = null;
    try {
      if (!opts.query.trim()) throw new LabError('bad-input', 'The question is empty.', 'Type a question first.');
      this.step = 'retrieving';
      if (!this.opened || this.#key !== opts.collection) {
        this.opened = await this.session.open(opts.collection, 'flat');
        this.#key = opts.collection;
      }
      const t0 = performance.now();
      this.results = await this.opened.retriever.search(opts.query, { k: opts.k, mode: opts.mode, mix: 0.5 });
      this.retrieveMs = performance.now() - t0;
      const threshold = GATE_THRESHOLDS[opts.collection];
      this.gate = opts.abstain && threshold !== undefined ? relevanceGate(this.opened.retriever.bm25, opts.query, threshold) : null;
      this.step = 'augmenting';
      this.prompt = augment(opts.template, opts.query, this.results);
      // Behind a closed gate there is nothing to extract either: the best sentence would be about someone else.
      this.extractive = this.gate && !this.gate.pass ? null : extractiveAnswer(opts.query, this.results);
      if (opts.generateWithModel && !(this.gate && !this.gate.pass)) {
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

  async #generate(opts: RunOptions, ac: AbortController): Promise<void> {
    if (!this.models) {
      this.generationError = 'No model is available in this view; the extractive answer above needs none.';
      return;
    }
    try {
      const { engine, modelId } = await this.models.get();
      this.modelLabel = this.models.label;
      // Fit the prompt into the window before sending: drop the lowest-ranked sources, then cut.
      const window = this.models.info(modelId)?.contextWindow ?? 4096;
      const answerTokens = this.models.tiny ? 48 : Math.min(256, Math.floor(window / 4));
      const tokenize = engine.tokenize?.bind(engine);
      this.exactCount = Boolean(tokenize);
      const count = async (t: string) => (tokenize ? (await tokenize(t)).length : estimateTokens(t));
      this.contextWindow = window;
      this.fitted = await fitPrompt(opts.template, opts.query, this.results, count, { window, answer: answerTokens, overhead: TEMPLATE_OVERHEAD });
      this.prompt = this.fitted.prompt;
      for await (const d of generate(engine, this.prompt, { signal: ac.signal, maxTokens: answerTokens })) this.answer += d;
      if (opts.compare) {
        const bare = NO_RETRIEVAL_TEMPLATE.replace('{question}', opts.query);
        for await (const d of generate(engine, bare, { signal: ac.signal, maxTokens: answerTokens })) this.bare += d;
      }
    } catch (e) {
      if (ac.signal.aborted) return;
      this.generationError = e;
    }
  }
}

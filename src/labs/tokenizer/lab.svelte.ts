/**
 * Page-side state of the tokenization lab: owns the worker client, keeps the newest tokenization
 * per tokenizer (older replies are dropped), runs training with live merges, and cancels it by
 * stopping the worker (training is one synchronous loop there; a fresh worker is given back the
 * tokenizers the old one held).
 */
import { explainError, isAbort } from '../../lib/errors';
import { createTokenizerClient } from '../../lib/tokenizer/client';
import type { TokenizeReply, TokenizerKind, TrainSummary, TrainUpdate } from '../../lib/tokenizer/lab-api';
import { TINYLM_SPECIAL_TOKENS } from '../../lib/tinylm/contract';

export interface MergeRow {
  index: number;
  id: number;
  left: Uint8Array;
  right: Uint8Array;
  count: number;
}

export type TinyStatus = 'loading' | 'ready' | 'missing';

/** Where the built-in model's tokenizer may be (the first that loads wins). */
const TINYLM_TOKENIZER_PATHS = ['models/tinylm-chat/tokenizer.json', 'models/tinylm-base/tokenizer.json', 'models/tokenizer.json'];

export class TokenizerLab {
  results = $state.raw<Partial<Record<TokenizerKind, TokenizeReply>>>({});
  training = $state(false);
  progress = $state<{ phase: TrainUpdate['phase']; done: number; total: number } | null>(null);
  merges = $state.raw<MergeRow[]>([]);
  summary = $state.raw<TrainSummary | null>(null);
  /** Why training stopped: a failure (shown through ErrorNotice) or the cancel message. */
  trainError = $state<unknown>(null);
  tinyStatus = $state<TinyStatus>('loading');
  inWorker = $state(true);

  #seq: Partial<Record<TokenizerKind, number>> = {};
  #counter = 0;
  #trainedJson: string | null = null;
  #tinyJson: string | null = null;
  #disposed = false;

  #client = createTokenizerClient(async (call) => {
    // A fresh worker gets back the tokenizers the previous one held.
    if (this.#trainedJson) await call('load', ['trained', this.#trainedJson]);
    if (this.#tinyJson) await call('load', ['tinylm', this.#tinyJson]);
  });
  #cancelTraining: AbortController | null = null;

  /** Fetches the built-in model's tokenizer.json, if the app ships one. */
  async loadTinyLM(base: string): Promise<void> {
    for (const path of TINYLM_TOKENIZER_PATHS) {
      try {
        const res = await fetch(base + path);
        if (!res.ok) continue;
        const json = await res.text();
        if (!json.trimStart().startsWith('{')) continue; // an HTML fallback page, not the file
        await this.#client.call('load', ['tinylm', json]);
        this.#tinyJson = json;
        this.tinyStatus = 'ready';
        return;
      } catch {
        /* try the next place */
      }
    }
    this.tinyStatus = 'missing';
  }

  /** Tokenizes `text` with one tokenizer; only the newest reply per tokenizer is kept. */
  async tokenize(text: string, kind: TokenizerKind): Promise<void> {
    const seq = ++this.#counter;
    this.#seq[kind] = seq;
    try {
      const [reply] = await this.#client.call('tokenize', [text, [kind]]);
      this.inWorker = !this.#client.inPage;
      if (this.#seq[kind] !== seq || this.#disposed) return; // a newer request superseded this one
      this.results = { ...this.results, [kind]: reply };
    } catch (e) {
      if (this.#seq[kind] === seq) this.results = { ...this.results, [kind]: { kind, error: explainError(e) } };
    }
  }

  /** Trains a BPE tokenizer in the worker; merges stream into `merges`. Resolves to the summary or null. */
  async train(corpus: string, vocabSize: number): Promise<TrainSummary | null> {
    if (this.training) return null;
    this.training = true;
    this.trainError = null;
    this.summary = null;
    this.merges = [];
    this.progress = { phase: 'pretokenize', done: 0, total: corpus.length };
    const gen = ++this.#counter;
    this.#trainGen = gen;
    try {
      const onUpdate = (u: TrainUpdate) => {
        if (this.#trainGen !== gen) return;
        this.progress = { phase: u.phase, done: u.done, total: u.total };
        if (u.merges.length) this.merges = [...this.merges, ...u.merges];
      };
      this.#cancelTraining = new AbortController();
      const summary = await this.#client.call('train', [corpus, vocabSize, [...TINYLM_SPECIAL_TOKENS]], {
        onProgress: onUpdate,
        signal: this.#cancelTraining.signal,
        cancel: 'terminate',
      });
      if (this.#trainGen !== gen) return null;
      this.#trainedJson = summary.json;
      this.summary = summary;
      return summary;
    } catch (e) {
      if (this.#trainGen === gen && !isAbort(e)) this.trainError = e;
      return null;
    } finally {
      if (this.#trainGen === gen) this.training = false;
    }
  }
  #trainGen = 0;

  /** Stops training at once (terminates the worker; the next call starts a fresh one). */
  cancel(): void {
    if (!this.training) return;
    this.#trainGen = -1;
    this.training = false;
    this.progress = null;
    this.trainError = 'Training cancelled.';
    this.#cancelTraining?.abort();
  }

  /** The trained tokenizer as Hugging Face tokenizer.json text (for download). */
  get trainedJson(): string | null {
    return this.summary?.json ?? null;
  }

  dispose(): void {
    this.#disposed = true;
    this.#trainGen = -1;
    this.#client.dispose();
  }
}

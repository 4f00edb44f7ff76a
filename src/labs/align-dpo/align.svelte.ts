/**
 * Page-side state of the DPO lab: owns the worker, the run's metric history and the adapter saved
 * in IndexedDB (kind 'lora', like lesson 2.2's adapters). Newest request wins.
 */
import { unwrapResult } from '../../lib/rpc/protocol';
import type { WorkerClient } from '../../lib/rpc/client';
import { createAlignClient } from '../../lib/align/client';
import { adapterRow, saveAdapterRow } from '../../lib/finetune/storage';
import type { AlignApi, AlignLoadInfo, AlignProgress, AlignResult, Reply } from '../../lib/align/service';
import type { DpoConfig, DpoStep } from '../../lib/align/dpo';
import type { PreferencePair } from '../../lib/align/pairs';
import type { LabDB } from '../../lib/storage/db';

/** The adapter row this lab writes in `modelBlobs` (a new run replaces it). */
export const ALIGN_ROW_ID = 'align-dpo:lora';

const unwrap = unwrapResult;

export class AlignSession {
  info = $state.raw<AlignLoadInfo | null>(null);
  steps = $state.raw<DpoStep[]>([]);
  totalSteps = $state(0);
  running = $state(false);
  scoring = $state(false);
  paused = $state(false);
  result = $state.raw<AlignResult | null>(null);
  error = $state.raw<unknown>(null);
  savedAt = $state<number | null>(null);

  #req = 0;
  /** the running call's controller (cancel aborts it) */
  #run: AbortController | null = null;
  /** Lazily started; a worker that died fails its calls with 'worker-crashed' and the next call starts a fresh one. */
  readonly #client: WorkerClient<AlignApi>;

  constructor(
    private readonly db: LabDB | null,
    private readonly modelUrl: string,
  ) {
    // A fresh worker (after a crash) loads the model again before its first call.
    this.#client = createAlignClient('DPO', async (call) => {
      if (this.info) unwrap(await call('load', [this.modelUrl]));
    });
  }

  /** Loads the chat model in the worker and measures its behaviour (the lab is ready after this). */
  async load(): Promise<void> {
    this.info = unwrap(await this.#client.call('load', [this.modelUrl]));
  }

  /** Trains by DPO; resolves with the result, or null when superseded or failed. */
  async run(pairs: PreferencePair[], config: DpoConfig): Promise<AlignResult | null> {
    const id = ++this.#req;
    this.error = null;
    this.running = true;
    this.scoring = false;
    this.paused = false;
    this.steps = [];
    this.totalSteps = config.steps;
    this.result = null;
    const onProgress = (p: AlignProgress) => {
      if (p.requestId !== this.#req) return;
      if (p.phase === 'score') this.scoring = true;
      else this.steps = [...this.steps, p];
    };
    try {
      // The worker runs one training at a time: a new run cancels the previous one there.
      const ctl = new AbortController();
      this.#run = ctl;
      // 'finish': cancelling stops the run at its next step and it resolves with what it has.
      const res = unwrap(await this.#client.call('run', [{ requestId: id, pairs, config }], { signal: ctl.signal, onProgress, cancel: 'finish' }));
      if (id !== this.#req) return null;
      this.result = res;
      if (!res.cancelled) await this.#save(res);
      return res;
    } catch (e) {
      if (id === this.#req) this.error = e;
      return null;
    } finally {
      if (id === this.#req) (this.running = false), (this.scoring = false);
    }
  }

  async pause(): Promise<void> {
    this.paused = true;
    await this.#client.call('pause', []);
  }
  async resume(): Promise<void> {
    this.paused = false;
    await this.#client.call('resume', []);
  }
  async cancel(): Promise<void> {
    this.#run?.abort();
    this.#run = null;
    this.paused = false;
  }

  /** Saves the aligned adapter as a PEFT folder row; a quota error is shown, nothing else is touched. */
  async #save(res: AlignResult): Promise<void> {
    if (!this.db) return;
    const row = adapterRow(ALIGN_ROW_ID, 'TinyLM chat + DPO adapter (says when the context does not say)', 'tinylm-chat', res.adapter,
      { method: 'dpo', behaviour: res.behaviour.score, pairAccuracy: res.heldOut['rewards/accuracies'], steps: res.steps });
    try {
      await saveAdapterRow(this.db, row);
      this.savedAt = Date.now();
    } catch (e) {
      this.error = e;
    }
  }

  dispose(): void {
    this.#req++;
    this.#run = null;
    this.#client.dispose();
  }
}

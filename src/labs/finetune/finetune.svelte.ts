/**
 * Page-side state of the fine-tuning lab: owns the worker, the runs of each method, and the
 * adapter saved in IndexedDB. Newest request wins: progress and replies of an older run are dropped.
 */
import { unwrapResult } from '../../lib/rpc/protocol';
import type { WorkerClient } from '../../lib/rpc/client';
import { createFinetuneClient } from '../../lib/finetune/client';
import { adapterRow, rowFiles, saveAdapterRow } from '../../lib/finetune/storage';
import type { ExportKind, FinetuneApi, FinetuneProgress, FinetuneResult, LoadInfo, Reply } from '../../lib/finetune/service';
import type { FinetuneMethod } from '../../lib/tinylm/finetune';
import type { LoraConfig } from '../../lib/tinylm/lora';
import type { LabDB, ModelBlobRow } from '../../lib/storage/db';

/** One method's latest run as shown: its loss curve and, when finished, its result. */
export interface MethodRun {
  method: FinetuneMethod;
  losses: Array<[number, number]>;
  totalSteps: number;
  stepMs: number;
  result: FinetuneResult | null;
}

/** The id of the adapter row this lab writes in `modelBlobs` (one per method; a new run replaces it). */
export const adapterRowId = (method: FinetuneMethod) => `finetune-lab:${method}`;

const unwrap = unwrapResult;

export class FinetuneSession {
  info = $state.raw<LoadInfo | null>(null);
  runs = $state<Partial<Record<FinetuneMethod, MethodRun>>>({});
  running = $state<FinetuneMethod | null>(null);
  /** The method of the newest finished run (what the export buttons export). */
  lastFinished = $state<FinetuneMethod | null>(null);
  paused = $state(false);
  error = $state.raw<unknown>(null);
  saved = $state.raw<ModelBlobRow[]>([]);
  imported = $state.raw<{ lora: LoraConfig; baseModel: string; exact: number; format: number; valLoss: number } | null>(null);

  #req = 0;
  /** the running call's controller (cancel aborts it) */
  #run: AbortController | null = null;
  /** Lazily started; a worker that died fails its calls with 'worker-crashed' and the next call starts a fresh one. */
  readonly #client: WorkerClient<FinetuneApi>;

  constructor(
    private readonly db: LabDB | null,
    private readonly modelUrl: string,
  ) {
    // A fresh worker (after a crash) loads the model again before its first call.
    this.#client = createFinetuneClient(async (call) => {
      if (this.info) unwrap(await call('load', [this.modelUrl]));
    });
  }

  /** Loads the chat model in the worker and scores it on the task (the lab is ready after this). */
  async load(): Promise<void> {
    this.info = unwrap(await this.#client.call('load', [this.modelUrl]));
    await this.refreshSaved();
  }

  /** Fine-tunes with `method`; resolves with the result, or null when cancelled or superseded. */
  async run(method: FinetuneMethod, lora: LoraConfig, steps: number): Promise<FinetuneResult | null> {
    const id = ++this.#req;
    this.error = null;
    this.running = method;
    this.paused = false;
    this.runs[method] = { method, losses: [], totalSteps: steps, stepMs: 0, result: null };
    const onProgress = (p: FinetuneProgress) => {
      if (p.requestId !== this.#req) return;
      const r = this.runs[method];
      if (!r) return;
      r.losses.push([p.step, p.loss]);
      r.stepMs = p.stepMs;
    };
    try {
      // The worker runs one training at a time: a new run cancels the previous one there.
      const ctl = new AbortController();
      this.#run = ctl;
      // 'finish': cancelling stops the run at its next step and it resolves with what it has.
      const res = unwrap(await this.#client.call('run', [{ requestId: id, method, lora, steps }], { signal: ctl.signal, onProgress, cancel: 'finish' }));
      if (id !== this.#req) return null;
      const r = this.runs[method];
      if (r) r.result = res;
      if (!res.cancelled) this.lastFinished = method;
      if (res.adapter && !res.cancelled) await this.#save(res);
      return res.cancelled ? null : res;
    } catch (e) {
      if (id === this.#req) this.error = e;
      return null;
    } finally {
      if (id === this.#req) this.running = null;
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

  /** Files of the last finished run (merged model, or the adapter as a llama.cpp GGUF). */
  async exportFiles(kind: ExportKind): Promise<Record<string, Uint8Array | string>> {
    return unwrap(await this.#client.call('exportFiles', [kind]));
  }

  /** Scores a PEFT adapter folder (two files) on the held-out prompts. */
  async importAdapter(config: string, safetensors: Uint8Array): Promise<void> {
    this.error = null;
    try {
      const r = unwrap(await this.#client.call('importAdapter', [{ config, safetensors }]));
      this.imported = { lora: r.lora, baseModel: r.baseModel, exact: r.score.exact, format: r.score.format, valLoss: r.valLoss };
    } catch (e) {
      this.error = e;
    }
  }

  /** Saves the run's PEFT files as one row (kind 'lora'); a quota error is reported, nothing else is touched. */
  async #save(res: FinetuneResult): Promise<void> {
    if (!this.db || !res.adapter) return;
    const row = adapterRow(adapterRowId(res.method), `TinyLM chat + ${res.method === 'qlora' ? 'QLoRA' : 'LoRA'} adapter (answers as JSON)`, 'tinylm-chat', res.adapter,
      { method: res.method, exact: res.score.exact, valLoss: res.valLoss, steps: res.steps });
    try {
      await saveAdapterRow(this.db, row);
      await this.refreshSaved();
    } catch (e) {
      this.error = e; // StorageQuotaError carries its next step
    }
  }

  /** Re-reads this lab's saved adapters. */
  async refreshSaved(): Promise<void> {
    if (!this.db) return;
    const rows = await this.db.modelBlobs.where('kind').equals('lora').toArray();
    this.saved = rows.filter((r) => r.id.startsWith('finetune-lab:'));
  }

  /** Deletes a saved adapter row. */
  async deleteSaved(id: string): Promise<void> {
    await this.db?.modelBlobs.delete(id);
    await this.refreshSaved();
  }

  /** Loads a saved adapter back into the worker and scores it (survives reloads: it is in IndexedDB). */
  async loadSaved(row: ModelBlobRow): Promise<void> {
    try {
      const f = rowFiles(row);
      await this.importAdapter(f.config, f.safetensors);
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

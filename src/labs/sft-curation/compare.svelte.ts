/**
 * Lesson 2.2.d's last step on the page: fine-tune TinyLM (LoRA, the fine-tuning lab's default
 * adapter) once on the raw rows and once on the curated ones, same steps and seed, in the
 * fine-tuning worker (the same service and worker as the fine-tuning lab), and compare them on the
 * task's held-out prompts. Adapters made here are not saved: the point is the comparison.
 */
import type { WorkerClient } from '../../lib/rpc/client';
import { createFinetuneClient } from '../../lib/finetune/client';
import { unwrapResult } from '../../lib/rpc/protocol';
import type { FinetuneApi, FinetuneProgress, FinetuneResult, LoadInfo } from '../../lib/finetune/service';
import { DEFAULT_LORA_CONFIG } from '../../lib/finetune/recipe';
import { COMPARE_STEPS, leakedPII, piiReplyRows } from '../../lib/curation/compare';
import { findPII } from '../../lib/curation/filters';
import type { ChatMessage } from '../../lib/tinylm/corpus/instruct';

export type Side = 'raw' | 'curated';

/** One side's run as shown. */
export interface SideRun {
  rows: number;
  losses: Array<[number, number]>;
  step: number;
  stepMs: number;
  result: FinetuneResult | null;
  /** Held-out replies that write out an e-mail address, phone number or IP address. */
  heldOutPII: number;
  /** Memorization probes (prompts of raw rows whose reply has PII) answered with that PII. */
  leaks: { prompt: string; reply: string; leaked: string[] }[];
}

export class CompareSession {
  info = $state.raw<LoadInfo | null>(null);
  runs = $state<Partial<Record<Side, SideRun>>>({});
  running = $state<Side | null>(null);
  error = $state.raw<unknown>(null);
  #req = 0;
  #ctl: AbortController | null = null;
  readonly #client: WorkerClient<FinetuneApi>;

  constructor(private readonly modelUrl: string) {
    // A fresh worker (after a crash) loads the model again before its first call.
    this.#client = createFinetuneClient(async (call) => {
      if (this.info) unwrapResult(await call('load', [this.modelUrl]));
    });
  }

  /** Steps of the runs in progress or last made. */
  steps = $state(COMPARE_STEPS);

  /**
   * Runs raw, then curated, same steps and seed;
   * resolves with both results, or null when cancelled or failed (the error is in `error`).
   */
  async compare(rawRows: ChatMessage[][], curatedRows: ChatMessage[][], steps = COMPARE_STEPS): Promise<Record<Side, FinetuneResult> | null> {
    // plain copies: the page's rows may be reactive proxies, which postMessage cannot clone
    const raw = $state.snapshot(rawRows) as ChatMessage[][], curated = $state.snapshot(curatedRows) as ChatMessage[][];
    const id = ++this.#req;
    this.error = null;
    this.runs = {};
    this.steps = steps;
    const ctl = new AbortController();
    this.#ctl = ctl;
    const probes = piiReplyRows(raw);
    try {
      if (!this.info) this.info = unwrapResult(await this.#client.call('load', [this.modelUrl]));
      const out: Partial<Record<Side, FinetuneResult>> = {};
      for (const [side, rows] of [['raw', raw], ['curated', curated]] as const) {
        if (id !== this.#req) return null;
        this.running = side;
        this.runs[side] = { rows: rows.length, losses: [], step: 0, stepMs: 0, result: null, heldOutPII: 0, leaks: [] };
        const onProgress = (p: FinetuneProgress) => {
          const r = this.runs[side];
          if (id !== this.#req || !r) return;
          r.losses.push([p.step, p.loss]);
          r.step = p.step;
          r.stepMs = p.stepMs;
        };
        const res = unwrapResult(await this.#client.call('run', [{ requestId: id, method: 'lora', lora: DEFAULT_LORA_CONFIG, steps, seed: 1, rows, probes }],
          { signal: ctl.signal, onProgress, cancel: 'finish' }));
        if (id !== this.#req || res.cancelled) return null;
        const r = this.runs[side]!;
        r.result = res;
        r.heldOutPII = res.score.replies.filter((x) => findPII(x).length > 0).length;
        r.leaks = probes.map((m, i) => ({
          prompt: m[m.length - 2].content.split('\n').pop() ?? '', reply: res.probeReplies[i] ?? '', leaked: leakedPII(res.probeReplies[i] ?? '', m[m.length - 1].content),
        }));
        out[side] = res;
      }
      return out as Record<Side, FinetuneResult>;
    } catch (e) {
      if (id === this.#req) this.error = e;
      return null;
    } finally {
      if (id === this.#req) {
        this.running = null;
        this.#ctl = null;
      }
    }
  }

  cancel(): void {
    this.#req++;
    this.#ctl?.abort();
    this.#ctl = null;
    this.running = null;
  }

  dispose(): void {
    this.cancel();
    this.#client.dispose();
  }
}

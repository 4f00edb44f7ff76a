/**
 * Page-side state of the RLHF lab (lesson 2.3.b): owns an align worker, and the three runs it makes
 * there (reward model, SFT warm-start + GRPO, and optionally DPO on the same pairs for the table).
 * One call at a time; newest request wins; cancel aborts the running call (it resolves as cancelled).
 */
import { unwrapResult } from '../../lib/rpc/protocol';
import type { WorkerClient } from '../../lib/rpc/client';
import { createAlignClient } from '../../lib/align/client';
import type { AlignApi, AlignLoadInfo, AlignProgress, AlignResult, RewardProgress, RewardResult, RlProgress, RlResult } from '../../lib/align/service';
import type { DpoConfig } from '../../lib/align/dpo';
import type { GrpoConfig, GrpoStep } from '../../lib/align/grpo';
import type { PreferencePair } from '../../lib/align/pairs';
import type { RewardConfig, RewardStep } from '../../lib/align/reward';

const unwrap = unwrapResult;

/** What the lab is doing now (drives the buttons and the status line). */
export type RlPhase = 'idle' | 'features' | 'reward' | 'sft' | 'rl' | 'score' | 'dpo';

export class RlSession {
  info = $state.raw<AlignLoadInfo | null>(null);
  phase = $state<RlPhase>('idle');
  /** Reward-model feature extraction progress (sequences done / total). */
  features = $state<[number, number]>([0, 0]);
  rmSteps = $state.raw<RewardStep[]>([]);
  rm = $state.raw<RewardResult | null>(null);
  steps = $state.raw<GrpoStep[]>([]);
  totalSteps = $state(0);
  rl = $state.raw<RlResult | null>(null);
  /** The reward the last RL run used. */
  rlReward = $state<GrpoConfig['reward']>('model');
  dpoSteps = $state(0);
  dpo = $state.raw<AlignResult | null>(null);
  error = $state.raw<unknown>(null);

  #req = 0;
  #ctl: AbortController | null = null;
  readonly #client: WorkerClient<AlignApi>;

  constructor(private readonly modelUrl: string) {
    // A fresh worker (after a crash) reloads the model; its reward model is gone, so RL needs step 1 again.
    this.#client = createAlignClient('RLHF', async (call) => {
      if (this.info) {
        unwrap(await call('load', [this.modelUrl]));
        this.rm = null;
      }
    });
  }

  get busy(): boolean {
    return this.phase !== 'idle';
  }

  /** Loads the chat model in the worker and measures its behaviour (the lab is ready after this). */
  async load(): Promise<void> {
    this.info = unwrap(await this.#client.call('load', [this.modelUrl]));
  }

  /** Runs one worker call as the current request; null when superseded, cancelled early or failed. */
  async #run<T>(phase: RlPhase, f: (id: number, signal: AbortSignal) => Promise<T>): Promise<T | null> {
    const id = ++this.#req;
    this.#ctl?.abort();
    const ctl = new AbortController();
    this.#ctl = ctl;
    this.error = null;
    this.phase = phase;
    try {
      const r = await f(id, ctl.signal);
      return id === this.#req ? r : null;
    } catch (e) {
      if (id === this.#req) this.error = e;
      return null;
    } finally {
      if (id === this.#req) (this.phase = 'idle'), (this.#ctl = null);
    }
  }

  /** Step 1: the Bradley–Terry reward model on the pairs. */
  trainReward(pairs: PreferencePair[], config: RewardConfig): Promise<RewardResult | null> {
    this.rmSteps = [];
    this.rm = null;
    this.rl = null;
    this.features = [0, 0];
    return this.#run('features', async (requestId, signal) => {
      const onProgress = (p: RewardProgress) => {
        if (p.requestId !== this.#req) return;
        if (p.phase === 'features') this.features = [p.done, p.total];
        else (this.phase = 'reward'), (this.rmSteps = [...this.rmSteps, p]);
      };
      const res = unwrap(await this.#client.call('trainReward', [{ requestId, pairs, config }], { signal, onProgress, cancel: 'finish' }));
      if (!res.cancelled) this.rm = res;
      return res;
    });
  }

  /** Step 2: SFT warm-start, then GRPO against the reward model. */
  runRl(pairs: PreferencePair[], config: GrpoConfig): Promise<RlResult | null> {
    this.steps = [];
    this.rl = null;
    this.rlReward = config.reward;
    this.totalSteps = config.sftSteps + config.steps;
    return this.#run('sft', async (requestId, signal) => {
      const onProgress = (p: RlProgress) => {
        if (p.requestId !== this.#req) return;
        if (p.phase === 'score') this.phase = 'score';
        else (this.phase = p.phase), (this.steps = [...this.steps, p]);
      };
      const res = unwrap(await this.#client.call('runRl', [{ requestId, pairs, config }], { signal, onProgress, cancel: 'finish' }));
      this.rl = res;
      return res;
    });
  }

  /** Optional: DPO on the same pairs in the same worker, for the side-by-side table. */
  runDpo(pairs: PreferencePair[], config: DpoConfig): Promise<AlignResult | null> {
    this.dpo = null;
    this.dpoSteps = 0;
    this.totalSteps = config.steps;
    return this.#run('dpo', async (requestId, signal) => {
      const onProgress = (p: AlignProgress) => {
        if (p.requestId === this.#req) this.dpoSteps = p.step;
      };
      const res = unwrap(await this.#client.call('run', [{ requestId, pairs, config }], { signal, onProgress, cancel: 'finish' }));
      this.dpo = res;
      return res;
    });
  }

  /** Stops the running call at its next step; it resolves with what it has. */
  cancel(): void {
    this.#ctl?.abort();
  }

  dispose(): void {
    this.#req++;
    this.#ctl?.abort();
    this.#client.dispose();
  }
}

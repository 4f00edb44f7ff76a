/**
 * The DPO lab's worker API (pure, Node-testable); `workers/align.worker.ts` serves it through src/lib/rpc.
 *
 * - `load` fetches the chat model once and scores its behaviour on the held-out prompts.
 * - `run` trains a fresh LoRA adapter by DPO on the given pairs, reporting TRL's metrics every
 *   step; then measures held-out pair accuracy and the behaviour score of the aligned model and
 *   returns the adapter as a PEFT folder. One run at a time; a new run cancels the previous one.
 */
import { LabError } from '../errors';
import { settle, type CallContext, type Result } from '../rpc/protocol';
import type { TinyLMConfig } from '../tinylm/contract';
import type { TinyLM } from '../tinylm/model';
import type { Tokenizer } from '../tokenizer';
import { exportPeftAdapter, type PeftFiles } from '../finetune/peft';
import { DpoTrainer, tokenizePair, type DpoConfig, type DpoMetrics, type DpoStep } from './dpo';
import { behaviourScore, makePairs, PAIR_SEEDS, type BehaviourScore, type PreferencePair } from './pairs';
import { PAIR_SPLITS } from './recipe';

/** A call's outcome as data (the rpc protocol's Result). */
export type Reply<T> = Result<T>;

export interface AlignLoadInfo {
  config: TinyLMConfig;
  /** The shipped model's behaviour on the held-out prompts (the failure the lesson starts from). */
  baseScore: BehaviourScore;
  heldOutPairs: number;
}

export interface AlignRunRequest {
  requestId: number;
  pairs: PreferencePair[];
  config: DpoConfig;
}

export interface AlignProgress extends DpoStep {
  requestId: number;
  paused: boolean;
  /** Set while the aligned model is being scored after training. */
  phase: 'train' | 'score';
}

export interface AlignResult {
  requestId: number;
  cancelled: boolean;
  steps: number;
  /** Held-out pair metrics (TRL's eval_ metrics) and KL, before and after. */
  heldOut: DpoMetrics & { kl: number };
  behaviour: BehaviourScore;
  trainSeconds: number;
  adapter: PeftFiles;
}

export interface AlignApi {
  load(modelUrl: string): Promise<Reply<AlignLoadInfo>>;
  /** Trains; each step (then the scoring phase) goes to `ctx.progress`; aborting `ctx.signal` stops it at its next step (it resolves as cancelled). */
  run(req: AlignRunRequest, ctx: CallContext<AlignProgress>): Promise<Reply<AlignResult>>;
  pause(): void;
  resume(): void;
  /** Stops the current run (the same as aborting its call's signal). */
  cancel(): void;
}

const wrap = settle;

/** Creates the service; `loadModel` fetches a shipped model (injected so Node tests read files). */
export function createAlignService(loadModel: (url: string) => Promise<{ model: TinyLM; tokenizer: Tokenizer }>): AlignApi {
  let base: { model: TinyLM; tokenizer: Tokenizer; heldOut: PreferencePair[]; behaviour: PreferencePair[]; score: BehaviourScore | null } | null = null;
  let current: DpoTrainer | null = null;
  const need = () => {
    if (!base) throw new Error('load() first');
    return base;
  };
  return {
    load: (url) => wrap(async () => {
      if (!base) {
        const { model, tokenizer } = await loadModel(url);
        base = { model, tokenizer, heldOut: makePairs(PAIR_SPLITS.heldOut, PAIR_SEEDS.test), behaviour: makePairs(PAIR_SPLITS.behaviour, PAIR_SEEDS.test + 1), score: null };
      }
      base.score ??= behaviourScore(base.model, base.tokenizer, base.behaviour);
      return { config: base.model.config, baseScore: base.score, heldOutPairs: base.heldOut.length };
    }),
    run: (req, ctx) => wrap(async () => {
      current?.cancel();
      const b = need();
      if (!req.pairs.length) throw new LabError('empty', 'There are no usable preference pairs to train on.', 'Generate pairs or fix the reported lines of your JSONL.');
      const tr = new DpoTrainer(b.model, req.pairs.map((p) => tokenizePair(b.tokenizer, p)), req.config);
      current = tr;
      ctx.signal.addEventListener('abort', () => tr.cancel(), { once: true });
      // Progress is posted, not awaited: the training loop stays as fast as with a plain callback.
      const last = await tr.run((s) => void ctx.progress({ ...s, requestId: req.requestId, paused: tr.isPaused, phase: 'train' }));
      const cancelled = tr.step < req.config.steps;
      const heldOut = tr.evaluate(b.heldOut.map((p) => tokenizePair(b.tokenizer, p)));
      if (last) void ctx.progress({ ...last, requestId: req.requestId, paused: false, phase: 'score' });
      const behaviour = behaviourScore(tr.policyModel(), b.tokenizer, b.behaviour);
      return {
        requestId: req.requestId, cancelled, steps: tr.step, heldOut, behaviour,
        trainSeconds: (last?.elapsedMs ?? 0) / 1000, adapter: exportPeftAdapter(tr.adapter, 'tinylm-chat'),
      };
    }),
    pause: () => current?.pause(),
    resume: () => current?.resume(),
    cancel: () => current?.cancel(),
  };
}

/**
 * The DPO lab's worker API (pure, Node-testable); `workers/align.worker.ts` serves it through src/lib/rpc.
 *
 * - `load` fetches the chat model once and scores its behaviour on the held-out prompts.
 * - `run` trains a fresh LoRA adapter by DPO on the given pairs, reporting TRL's metrics every
 *   step; then measures held-out pair accuracy and the behaviour score of the aligned model and
 *   returns the adapter as a PEFT folder. One run at a time; a new run cancels the previous one.
 * - `trainReward` (lesson 2.3.b) fits a Bradley–Terry reward model on the same pairs: features of the
 *   frozen chat model (progress per batch), then the head (progress per step), then held-out accuracy.
 * - `runRl` runs the SFT warm-start and GRPO against that reward model (progress per step), then
 *   scores the policy's behaviour and its KL to the shipped model, like `run` does for DPO.
 */
import { LabError } from '../errors';
import { settle, type CallContext, type Result } from '../rpc/protocol';
import type { TinyLMConfig } from '../tinylm/contract';
import type { TinyLM } from '../tinylm/model';
import type { Tokenizer } from '../tokenizer';
import { exportPeftAdapter, type PeftFiles } from '../finetune/peft';
import { DpoTrainer, tokenizePair, type DpoConfig, type DpoMetrics, type DpoStep } from './dpo';
import { behaviourScore, makePairs, pairExample, PAIR_SEEDS, type BehaviourScore, type PreferencePair } from './pairs';
import { PAIR_SPLITS } from './recipe';
import { promptIds } from '../tinylm/corpus';
import { pairLength } from './jsonl';
import { evaluateReward, greedyReward, lastHidden, rewardInput, trainRewardModel, type RewardConfig, type RewardEval, type RewardModel, type RewardStep } from './reward';
import { GrpoTrainer, pairsKL, type GrpoConfig, type GrpoStep } from './grpo';

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
  /** Mean reward-model reward of the aligned model's greedy replies to the held-out prompts (when a reward model was trained). */
  rmReward?: number;
  /** Pairs left out because prompt + the longer reply do not fit the window. */
  skipped: OverLong[];
}

/** A pair that does not fit the model's window: its index in the request and its length in tokens. */
export interface OverLong {
  index: number;
  tokens: number;
}

/** Splits pairs into those that fit `room` tokens (with `extra` more for sampled tokens) and the rest. */
function fitting(tok: Tokenizer, pairs: PreferencePair[], window: number, extra = 0): { pairs: PreferencePair[]; skipped: OverLong[] } {
  const ok: PreferencePair[] = [], skipped: OverLong[] = [];
  pairs.forEach((p, index) => {
    const n = extra ? promptIds(tok, pairExample(p, '')).length + extra : pairLength(tok, p);
    const m = extra ? Math.max(n, pairLength(tok, p)) : n;
    if (m > window) skipped.push({ index, tokens: m });
    else ok.push(p);
  });
  return { pairs: ok, skipped };
}

export interface RewardRequest {
  requestId: number;
  pairs: PreferencePair[];
  config: RewardConfig;
}

export type RewardProgress =
  | { requestId: number; phase: 'features'; done: number; total: number }
  | ({ requestId: number; phase: 'train' } & RewardStep);

export interface RewardResult {
  requestId: number;
  cancelled: boolean;
  steps: number;
  /** Held-out pair accuracy, loss and mean margin r_w − r_l. */
  heldOut: RewardEval;
  /** Accuracy on the training pairs (to compare with held-out: overfitting shows as a gap). */
  train: RewardEval;
  /** Mean reward of the shipped model's greedy replies to the held-out prompts (the RL start line). */
  shippedReward: number;
  /** Pairs left out because they do not fit the window (index into the request's pairs, tokens). */
  skipped: OverLong[];
  seconds: number;
}

export interface RlRequest {
  requestId: number;
  pairs: PreferencePair[];
  config: GrpoConfig;
}

export type RlProgress = ({ requestId: number; phase: 'sft' | 'rl' } & GrpoStep) | { requestId: number; phase: 'score'; step: number; what: 'sft' | 'final' };

export interface RlResult {
  requestId: number;
  cancelled: boolean;
  steps: number;
  /** Behaviour after the supervised warm-start (null if cancelled before it ended). */
  behaviourAfterSft: BehaviourScore | null;
  behaviour: BehaviourScore;
  /** Exact per-token KL to the shipped model on held-out pair completions (as DPO's `heldOut.kl`). */
  klToShipped: number;
  /** Mean reward of the first and last 5 RL steps. */
  rewardFirst: number;
  rewardLast: number;
  /** Fraction of the samples the program judged right, first and last 5 RL steps. */
  judgedFirst: number;
  judgedLast: number;
  /** Mean reward-model reward of the policy's greedy replies to the held-out prompts (NaN without a reward model). */
  rmReward: number;
  /** Prompts left out because prompt + the longer reply (or + the sampled tokens) do not fit the window. */
  skipped: OverLong[];
  trainSeconds: number;
}

export interface AlignApi {
  load(modelUrl: string): Promise<Reply<AlignLoadInfo>>;
  /** Trains; each step (then the scoring phase) goes to `ctx.progress`; aborting `ctx.signal` stops it at its next step (it resolves as cancelled). */
  run(req: AlignRunRequest, ctx: CallContext<AlignProgress>): Promise<Reply<AlignResult>>;
  /** Trains the reward model on the pairs (lesson 2.3.b); it is kept for `runRl`. Abort stops it (resolves as cancelled). */
  trainReward(req: RewardRequest, ctx: CallContext<RewardProgress>): Promise<Reply<RewardResult>>;
  /** SFT warm-start + GRPO against the trained reward model; abort stops it at its next step (resolves as cancelled). */
  runRl(req: RlRequest, ctx: CallContext<RlProgress>): Promise<Reply<RlResult>>;
  pause(): void;
  resume(): void;
  /** Stops the current run (the same as aborting its call's signal). */
  cancel(): void;
}

/** Prompt ids of the held-out behaviour prompts. */
const behaviourPrompts = (b: { tokenizer: Tokenizer; behaviour: PreferencePair[] }) => b.behaviour.map((p) => promptIds(b.tokenizer, pairExample(p, '')));
const yieldNow = () => new Promise((r) => setTimeout(r, 0));
const meanOf = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

const wrap = settle;

/** Creates the service; `loadModel` fetches a shipped model (injected so Node tests read files). */
export function createAlignService(loadModel: (url: string) => Promise<{ model: TinyLM; tokenizer: Tokenizer }>): AlignApi {
  let base: { model: TinyLM; tokenizer: Tokenizer; heldOut: PreferencePair[]; behaviour: PreferencePair[]; score: BehaviourScore | null } | null = null;
  let current: DpoTrainer | null = null;
  let rlCurrent: GrpoTrainer | null = null;
  let rewardModel: RewardModel | null = null;
  const noPairs = () => new LabError('empty', 'There are no usable preference pairs to train on.', 'Generate pairs or fix the reported lines of your JSONL.');
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
      const { pairs, skipped } = fitting(b.tokenizer, req.pairs, b.model.config.maxSeqLen);
      if (!pairs.length) throw noPairs();
      const tr = new DpoTrainer(b.model, pairs.map((p) => tokenizePair(b.tokenizer, p)), req.config);
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
        trainSeconds: (last?.elapsedMs ?? 0) / 1000, adapter: exportPeftAdapter(tr.adapter, 'tinylm-chat'), skipped,
        ...(rewardModel ? { rmReward: greedyReward(rewardModel, tr.policyModel(), behaviourPrompts(b)) } : {}),
      };
    }),
    trainReward: (req, ctx) => wrap(async () => {
      const b = need();
      const { pairs, skipped } = fitting(b.tokenizer, req.pairs, b.model.config.maxSeqLen);
      if (!pairs.length) throw noPairs();
      const t0 = performance.now();
      const all = [...pairs.map((p) => tokenizePair(b.tokenizer, p)), ...b.heldOut.map((p) => tokenizePair(b.tokenizer, p))];
      // Features of every completion (training then held-out, chosen then rejected), 16 sequences a batch.
      const seqs = [...all.map((p) => rewardInput(p.prompt, p.chosen)), ...all.map((p) => rewardInput(p.prompt, p.rejected))];
      const D = b.model.config.dim, feats = new Float32Array(seqs.length * D);
      for (let i = 0; i < seqs.length; i += 16) {
        if (ctx.signal.aborted) return { requestId: req.requestId, cancelled: true, steps: 0, heldOut: { loss: NaN, accuracy: NaN, margin: NaN, n: 0 }, train: { loss: NaN, accuracy: NaN, margin: NaN, n: 0 }, shippedReward: NaN, skipped, seconds: (performance.now() - t0) / 1000 };
        feats.set(lastHidden(b.model, seqs.slice(i, i + 16)), i * D);
        void ctx.progress({ requestId: req.requestId, phase: 'features', done: Math.min(seqs.length, i + 16), total: seqs.length });
        await yieldNow();
      }
      const n = all.length, nTrain = pairs.length;
      const part = (from: number, to: number) => ({ chosen: feats.slice(from * D, to * D), rejected: feats.slice((n + from) * D, (n + to) * D) });
      let steps = 0;
      const rm = await trainRewardModel(b.model, part(0, nTrain), req.config, (s) => {
        steps = s.step;
        void ctx.progress({ requestId: req.requestId, phase: 'train', ...s });
      }, () => ctx.signal.aborted);
      const cancelled = steps < req.config.steps;
      if (!cancelled) rewardModel = rm;
      const shippedReward = cancelled ? NaN : greedyReward(rm, b.model, behaviourPrompts(b));
      return { requestId: req.requestId, cancelled, steps, heldOut: evaluateReward(rm, part(nTrain, n)), train: evaluateReward(rm, part(0, nTrain)), shippedReward, skipped, seconds: (performance.now() - t0) / 1000 };
    }),
    runRl: (req, ctx) => wrap(async () => {
      rlCurrent?.cancel();
      const b = need();
      if (!rewardModel && req.config.reward === 'model') throw new LabError('invalid-request', 'There is no reward model yet.', 'Train the reward model first (step 1), then run RL.');
      const { pairs, skipped } = fitting(b.tokenizer, req.pairs, b.model.config.maxSeqLen, req.config.maxNewTokens);
      if (!pairs.length) throw noPairs();
      const tr = new GrpoTrainer(b.model, b.tokenizer, rewardModel, pairs.map((pair) => ({ pair, tokens: tokenizePair(b.tokenizer, pair) })), req.config);
      rlCurrent = tr;
      ctx.signal.addEventListener('abort', () => tr.cancel(), { once: true });
      const rewards: number[] = [], judged: number[] = [];
      let afterSft: BehaviourScore | null = null, lastStep: GrpoStep | null = null;
      await tr.run((s) => {
        lastStep = s;
        if (s.phase === 'rl') rewards.push(s.reward), judged.push(s.judged);
        void ctx.progress({ requestId: req.requestId, ...s });
        if (s.phase === 'sft' && s.step === req.config.sftSteps) {
          void ctx.progress({ requestId: req.requestId, phase: 'score', step: s.step, what: 'sft' });
          afterSft = behaviourScore(tr.policyModel(), b.tokenizer, b.behaviour);
        }
      });
      void ctx.progress({ requestId: req.requestId, phase: 'score', step: tr.step, what: 'final' });
      const policy = tr.policyModel();
      const behaviour = behaviourScore(policy, b.tokenizer, b.behaviour);
      const klToShipped = pairsKL(policy, b.model, b.heldOut.map((p) => tokenizePair(b.tokenizer, p)));
      return {
        requestId: req.requestId, cancelled: tr.step < tr.totalSteps, steps: tr.step, behaviourAfterSft: afterSft, behaviour, klToShipped,
        rewardFirst: meanOf(rewards.slice(0, 5)), rewardLast: meanOf(rewards.slice(-5)), judgedFirst: meanOf(judged.slice(0, 5)), judgedLast: meanOf(judged.slice(-5)), rmReward: rewardModel ? greedyReward(rewardModel, policy, behaviourPrompts(b)) : NaN, skipped, trainSeconds: ((lastStep as GrpoStep | null)?.elapsedMs ?? 0) / 1000,
      };
    }),
    pause: () => current?.pause(),
    resume: () => current?.resume(),
    cancel: () => (current?.cancel(), rlCurrent?.cancel()),
  };
}

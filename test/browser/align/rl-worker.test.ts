/** The align worker's RLHF calls in a real browser: reward model (features → head → held-out accuracy), then a short GRPO run, cancel, and the errors. */
import { describe, expect, it } from 'vitest';
import { createWorkerClient } from '../../../src/lib/rpc/client';
import type { AlignApi, RewardProgress, RlProgress } from '../../../src/lib/align/service';
import { makePairs, PAIR_SEEDS } from '../../../src/lib/align/pairs';
import { DEFAULT_GRPO, DEFAULT_REWARD } from '../../../src/lib/align/recipe';
import type { GrpoStep } from '../../../src/lib/align/grpo';

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('align worker: reward model and GRPO', () => {
  it('trains the reward model with progress, runs a short GRPO with per-step metrics, cancels, and refuses RL without a reward model', async () => {
    const client = createWorkerClient<AlignApi>({
      label: 'RLHF',
      start: (name) => new Worker(new URL('../../../workers/align.worker.ts', import.meta.url), { type: 'module', name }),
    });
    const loaded = await client.call('load', ['/models/tinylm-chat/']);
    if (!loaded.ok) throw new Error(loaded.error.message);
    const pairs = makePairs(32, PAIR_SEEDS.train);

    // RL before any reward model: a LabError with a next step.
    const early = await client.call('runRl', [{ requestId: 1, pairs, config: DEFAULT_GRPO }]);
    expect(early.ok).toBe(false);
    if (!early.ok) expect(early.error.hint).toMatch(/reward model first/);

    // An over-long pair is left out and reported with its index; the rest are used.
    const long = { ...pairs[0], user: pairs[0].user + ' and more'.repeat(200) };
    const rmEvents: RewardProgress[] = [];
    const rm = await client.call('trainReward', [{ requestId: 2, pairs: [...pairs, long], config: { ...DEFAULT_REWARD, steps: 60 } }], { onProgress: (p: RewardProgress) => void rmEvents.push(p) });
    if (!rm.ok) throw new Error(rm.error.message);
    for (let i = 0; i < 100 && rmEvents.filter((e) => e.phase === 'train').length < 60; i++) await settle();
    expect(rm.value.skipped.map((s) => s.index)).toEqual([32]);
    expect(rm.value.skipped[0].tokens).toBeGreaterThan(256);
    const feats = rmEvents.filter((e) => e.phase === 'features');
    expect(feats.at(-1)).toMatchObject({ done: (32 + 64) * 2, total: (32 + 64) * 2 }); // training + held-out pairs, both replies
    const train = rmEvents.filter((e) => e.phase === 'train');
    expect(train[0].loss).toBeCloseTo(Math.LN2, 5); // zero head: every pair ties
    expect(rm.value.cancelled).toBe(false);
    expect(rm.value.heldOut.n).toBe(64);
    expect(rm.value.heldOut.accuracy).toBeGreaterThan(0.6);
    expect(Number.isFinite(rm.value.shippedReward)).toBe(true);

    const events: RlProgress[] = [];
    const r = await client.call('runRl', [{ requestId: 3, pairs, config: { ...DEFAULT_GRPO, sftSteps: 2, steps: 2, maxNewTokens: 6 } }], { onProgress: (p: RlProgress) => void events.push(p) });
    if (!r.ok) throw new Error(r.error.message);
    for (let i = 0; i < 100 && !events.some((e) => e.phase === 'score' && e.what === 'final'); i++) await settle();
    const steps = events.filter((e) => e.phase === 'sft' || e.phase === 'rl');
    expect(steps.map((e) => [e.step, e.phase])).toEqual([[1, 'sft'], [2, 'sft'], [3, 'rl'], [4, 'rl']]);
    const rl = steps.filter((e) => e.phase === 'rl') as GrpoStep[];
    expect(rl[0].kl).toBeLessThan(1e-6); // the first RL batch is sampled from the reference itself (merged vs adapter path: rounding only)
    expect(Number.isFinite(rl[1].reward)).toBe(true);
    expect(r.value.cancelled).toBe(false);
    expect(r.value.behaviourAfterSft?.n).toBe(loaded.value.baseScore.n);
    expect(r.value.behaviour.n).toBe(loaded.value.baseScore.n);
    expect(r.value.klToShipped).toBeGreaterThan(0);

    // Cancel = abort the call's signal; it resolves as cancelled with what it has.
    let step = 0;
    const stop = new AbortController();
    const longRun = client.call('runRl', [{ requestId: 4, pairs, config: { ...DEFAULT_GRPO, sftSteps: 0, steps: 100, maxNewTokens: 4 } }], { signal: stop.signal, cancel: 'finish', onProgress: (p: RlProgress) => void (step = p.step) });
    while (step < 1) await settle();
    stop.abort();
    const cancelled = await longRun;
    expect(cancelled.ok && cancelled.value.cancelled).toBe(true);
    if (cancelled.ok) expect(cancelled.value.steps).toBeLessThan(100);

    const empty = await client.call('trainReward', [{ requestId: 5, pairs: [], config: DEFAULT_REWARD }]);
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(empty.error.hint).toMatch(/Generate pairs/);
    client.dispose();
  }, 240_000);
});

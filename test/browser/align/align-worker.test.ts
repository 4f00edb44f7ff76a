/** The DPO worker in a real browser: load + measured base behaviour, a short run with TRL metrics per step, pause/resume/cancel. */
import { describe, expect, it } from 'vitest';
import { createWorkerClient } from '../../../src/lib/rpc/client';
import type { AlignApi, AlignProgress } from '../../../src/lib/align/service';
import { makePairs, PAIR_SEEDS } from '../../../src/lib/align/pairs';
import { DEFAULT_DPO } from '../../../src/lib/align/recipe';

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('align worker', () => {
  it('measures the chat model, runs DPO with per-step metrics (step 0 = ln 2), pauses, resumes and cancels', async () => {
    const client = createWorkerClient<AlignApi>({
      label: 'DPO',
      start: (name) => new Worker(new URL('../../../workers/align.worker.ts', import.meta.url), { type: 'module', name }),
    });
    const loaded = await client.call('load', ['/models/tinylm-chat/']);
    if (!loaded.ok) throw new Error(loaded.error.message);
    expect(loaded.value.baseScore.abstainRate).toBeLessThan(0.2); // the failure the lesson starts from
    expect(loaded.value.baseScore.n).toBeGreaterThan(20);

    const pairs = makePairs(16, PAIR_SEEDS.train);
    const events: AlignProgress[] = [];
    const r = await client.call('run', [{ requestId: 7, pairs, config: { ...DEFAULT_DPO, steps: 3, batchSize: 4 } }], { onProgress: (p: AlignProgress) => void events.push(p) });
    if (!r.ok) throw new Error(r.error.message);
    for (let i = 0; i < 100 && events.at(-1)?.phase !== 'score'; i++) await settle();
    const train = events.filter((e) => e.phase === 'train');
    expect(train.map((e) => e.step)).toEqual([1, 2, 3]);
    expect(train[0].loss).toBeCloseTo(Math.LN2, 5);
    expect(train[0]['rewards/accuracies']).toBe(0);
    expect(train[0].kl).toBe(0);
    expect(train[2].kl).toBeGreaterThan(0);
    expect(r.value.cancelled).toBe(false);
    expect(r.value.behaviour.n).toBe(loaded.value.baseScore.n);
    expect(r.value.adapter['adapter_config.json']).toContain('"peft_type": "LORA"');

    let step = 0;
    const stop = new AbortController();
    const long = client.call('run', [{ requestId: 8, pairs, config: { ...DEFAULT_DPO, steps: 300, batchSize: 2 } }], { signal: stop.signal, cancel: 'finish', onProgress: (p: AlignProgress) => void (step = p.step) });
    while (step < 2) await settle();
    await client.call('pause', []);
    await new Promise((res) => setTimeout(res, 1500));
    const at = step;
    await new Promise((res) => setTimeout(res, 1000));
    expect(step).toBe(at);
    await client.call('resume', []);
    while (step < at + 1) await settle();
    stop.abort(); // cancelling is aborting the call's signal
    const cancelled = await long;
    expect(cancelled.ok && cancelled.value.cancelled).toBe(true);

    const empty = await client.call('run', [{ requestId: 9, pairs: [], config: DEFAULT_DPO }]);
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(empty.error.hint).toMatch(/Generate pairs/);
    client.dispose();
  }, 240_000);
});

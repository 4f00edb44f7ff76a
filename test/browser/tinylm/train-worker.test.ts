/** The TinyLM training worker in a real browser: progress, pause/resume, cancel, weights back. */
import { proxy, wrap } from 'comlink';
import { describe, expect, it } from 'vitest';
import type { TinyLMConfig } from '../../../src/lib/tinylm/contract';
import type { TinyLMTrainApi, TrainProgress } from '../../../src/lib/tinylm/train-service';

const config: TinyLMConfig = {
  vocabSize: 16, dim: 16, nLayers: 1, nHeads: 2, nKvHeads: 1, ffnDim: 32,
  maxSeqLen: 16, ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: true,
};
// A repeating pattern the model can learn quickly: 1 2 3 … 15 1 2 3 …
const tokens = Int32Array.from({ length: 2000 }, (_, i) => 1 + (i % 15));
const train = { steps: 60, batchSize: 4, seqLen: 12, maxLr: 1e-2, minLr: 1e-3, warmup: 5, weightDecay: 0, clip: 1, seed: 3 };

function start() {
  const worker = new Worker(new URL('../../../workers/tinylm-train.worker.ts', import.meta.url), { type: 'module' });
  return { worker, api: wrap<TinyLMTrainApi>(worker) };
}

describe('tinylm-train worker', () => {
  it('trains with progress events and returns weights that lowered the loss', async () => {
    const { worker, api } = start();
    const events: TrainProgress[] = [];
    const reply = await api.train({ requestId: 7, config, train, data: { tokens } }, proxy((p: TrainProgress) => void events.push(p)));
    // Progress callbacks travel on their own comlink port and can trail the reply: let the last one land.
    for (let i = 0; i < 250 && events.at(-1)?.step !== 60; i++) await new Promise((r) => setTimeout(r, 20));
    worker.terminate();
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.requestId).toBe(7);
    expect(reply.cancelled).toBe(false);
    expect(events.length).toBeGreaterThan(50);
    expect(events.every((e) => e.requestId === 7 && e.tokensPerSec > 0 && e.lr > 0)).toBe(true);
    expect(events.at(-1)!.step).toBe(60);
    expect(events.at(-1)!.loss).toBeLessThan(events[0].loss * 0.5);
    expect(reply.weights['model.embed_tokens.weight'].data).toBeInstanceOf(Float32Array);
  });

  it('pauses, resumes and cancels', async () => {
    const { worker, api } = start();
    let steps = 0;
    let pausedAt = -1;
    const done = api.train({ requestId: 1, config, train: { ...train, steps: 100000 }, data: { tokens } }, proxy((p: TrainProgress) => void (steps = p.step)));
    while (steps < 3) await new Promise((r) => setTimeout(r, 20));
    await api.pause();
    await new Promise((r) => setTimeout(r, 100));
    pausedAt = steps;
    await new Promise((r) => setTimeout(r, 300));
    expect(steps).toBe(pausedAt); // nothing happens while paused
    const snap = await api.snapshot();
    expect(snap?.['model.norm.weight'].shape).toEqual([16]);
    await api.resume();
    while (steps < pausedAt + 3) await new Promise((r) => setTimeout(r, 20));
    await api.cancel();
    const reply = await done;
    worker.terminate();
    expect(reply.ok && reply.cancelled).toBe(true);
  });

  it('reports bad input as data', async () => {
    const { worker, api } = start();
    const reply = await api.train({ requestId: 2, config: { ...config, nHeads: 3 }, train, data: { tokens } }, proxy(() => {}));
    worker.terminate();
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.message).toMatch(/divisible/);
  });
});

/** The TinyLM training worker in a real browser: progress, pause/resume, cancel, weights back. */
import { describe, expect, it } from 'vitest';
import type { TinyLMConfig } from '../../../src/lib/tinylm/contract';
import type { TrainProgress } from '../../../src/lib/tinylm/train-service';
import { createTrainClient } from '../../../src/lib/tinylm/train-client';

const config: TinyLMConfig = {
  vocabSize: 16, dim: 16, nLayers: 1, nHeads: 2, nKvHeads: 1, ffnDim: 32,
  maxSeqLen: 16, ropeTheta: 10000, normEps: 1e-5, tieEmbeddings: true,
};
// A repeating pattern the model can learn quickly: 1 2 3 … 15 1 2 3 …
const tokens = Int32Array.from({ length: 2000 }, (_, i) => 1 + (i % 15));
const train = { steps: 60, batchSize: 4, seqLen: 12, maxLr: 1e-2, minLr: 1e-3, warmup: 5, weightDecay: 0, clip: 1, seed: 3 };

function start() {
  const client = createTrainClient();
  return { worker: { terminate: () => client.dispose() }, api: client };
}

describe('tinylm-train worker', () => {
  it('trains with progress events and returns weights that lowered the loss', async () => {
    const { worker, api } = start();
    const events: TrainProgress[] = [];
    const reply = await api.call('train', [{ requestId: 7, config, train, data: { tokens } }], { onProgress: (p: TrainProgress) => void events.push(p) });
    // Every progress event arrives before the reply.
    expect(api.inPage).toBe(false);
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
    const done = api.call('train', [{ requestId: 1, config, train: { ...train, steps: 100000 }, data: { tokens } }], { onProgress: (p: TrainProgress) => void (steps = p.step) });
    while (steps < 3) await new Promise((r) => setTimeout(r, 20));
    await api.call('pause', []);
    await new Promise((r) => setTimeout(r, 100));
    pausedAt = steps;
    await new Promise((r) => setTimeout(r, 300));
    expect(steps).toBe(pausedAt); // nothing happens while paused
    const snap = await api.call('snapshot', []);
    expect(snap?.['model.norm.weight'].shape).toEqual([16]);
    await api.call('resume', []);
    while (steps < pausedAt + 3) await new Promise((r) => setTimeout(r, 20));
    await api.call('cancel', []);
    const reply = await done;
    worker.terminate();
    expect(reply.ok && reply.cancelled).toBe(true);
  });

  it('reports bad input as data', async () => {
    const { worker, api } = start();
    const reply = await api.call('train', [{ requestId: 2, config: { ...config, nHeads: 3 }, train, data: { tokens } }]);
    worker.terminate();
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.message).toMatch(/divisible/);
  });

  it("a cancelled call (cancel: 'finish') ends the run early and still returns its weights", async () => {
    const client = createTrainClient();
    const ac = new AbortController();
    const reply = await client.call('train', [{ requestId: 3, config, train: { ...train, steps: 100000 }, data: { tokens } }], {
      signal: ac.signal,
      cancel: 'finish',
      onProgress: (p: TrainProgress) => void (p.step === 5 && ac.abort()),
    });
    client.dispose();
    expect(reply.ok && reply.cancelled).toBe(true);
    expect(reply.ok && reply.last!.step).toBeLessThan(100);
    expect(reply.ok && reply.weights['model.norm.weight'].data).toBeInstanceOf(Float32Array);
  });
});

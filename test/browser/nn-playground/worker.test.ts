/** The NN playground's worker through the one worker client: trains off the page, grids transferred. */
import { describe, expect, it } from 'vitest';
import { createPlaygroundClient } from '../../../src/lib/nn-playground/client';

describe('playground worker', () => {
  it('resets, trains (loss falls) and returns a decision grid, in a worker', async () => {
    const client = createPlaygroundClient();
    const cfg = { dataset: 'circle' as const, noise: 0.05, points: 200, hidden: [4, 4], activation: 'tanh' as const, learningRate: 0.3, batchSize: 10, seed: 1 };
    const first = await client.call('reset', [cfg, 1, 20]);
    expect(first.grid).toHaveLength(400);
    let r = first;
    for (let i = 0; i < 20; i++) r = await client.call('train', [25, 1, 20]);
    expect(r.trainLoss).toBeLessThan(first.trainLoss);
    expect(client.inPage).toBe(false);
    // A stale generation is refused with a message, as data.
    expect(await client.call('train', [1, 0, 20]).catch((e) => e.message)).toMatch(/stale request/);
    client.dispose();
  });
});

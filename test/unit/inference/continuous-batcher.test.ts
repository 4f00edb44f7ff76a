/** The live continuous batcher: admission order and limits, retirement, cancellation, batch-invariant logits. */
import { describe, expect, it } from 'vitest';
import { ContinuousBatcher } from '../../../src/lib/inference/continuous-batcher';
import { createRandomTinyLM } from '../../../src/lib/engine/tinylm-models';
import type { BatchedSequence } from '../../../src/lib/engine/tinylm-engine';
import { argmaxOf } from '../../../src/lib/inference/speculative';

const { model } = createRandomTinyLM(3, 128);
const manual = () => {
  const pending: Array<() => void> = [];
  return { pause: () => new Promise<void>((r) => pending.push(r)), tick: () => pending.splice(0).forEach((r) => r()) };
};
const flush = () => new Promise((r) => setTimeout(r, 0));

/** A greedy sequence of `n` tokens that logs what happened to it. */
function greedy(name: string, prompt: number[], n: number, log: string[]) {
  const out: number[] = [];
  const spec: BatchedSequence = {
    prompt,
    maxNewTokens: n,
    next(logits, info) {
      log.push(`${name}:${info.batch}`);
      out.push(argmaxOf(logits));
      return out.length >= n ? -1 : out[out.length - 1];
    },
    retired(reason) {
      log.push(`${name}:${reason}`);
    },
  };
  return { spec, out };
}

describe('ContinuousBatcher', () => {
  it('admits first come, first served up to maxBatch; a finished sequence makes room at the next step', async () => {
    const clock = manual();
    const b = new ContinuousBatcher({ maxBatch: 2, pause: clock.pause });
    const log: string[] = [];
    const a = greedy('a', [1, 2, 3], 2, log), c = greedy('c', [4, 5], 4, log), d = greedy('d', [6], 1, log);
    b.submit(model, a.spec);
    b.submit(model, c.spec);
    b.submit(model, d.spec);
    expect(b.load).toEqual({ waiting: 3, running: 0 }); // the loop starts on the next turn
    await flush();
    expect(log).toEqual(['a:2', 'c:2']); // step 1: a and c (d waits: batch of 2)
    clock.tick();
    await flush();
    expect(log.slice(2)).toEqual(['a:2', 'c:2']); // step 2: a finishes (2 tokens)
    clock.tick();
    await flush();
    expect(log.slice(4)).toEqual(['c:2', 'd:2']); // step 3: d took a's place
    for (let i = 0; i < 4; i++) {
      clock.tick();
      await flush();
    }
    expect(b.load).toEqual({ waiting: 0, running: 0 });
    expect(b.steps.map((s) => s.batch)).toEqual([2, 2, 2, 1]);
  });

  it('waits for cache blocks: a request is admitted only when its prompt + max tokens fit', async () => {
    const clock = manual();
    const b = new ContinuousBatcher({ maxBatch: 4, numBlocks: 3, pause: clock.pause });
    const log: string[] = [];
    b.submit(model, greedy('a', [1, 2, 3], 30, log).spec); // 33 positions: 3 blocks
    b.submit(model, greedy('c', [4], 2, log).spec); // 1 block
    await flush();
    expect(log).toEqual(['a:1']);
    expect(b.steps[0].blocksUsed).toBe(1); // reserved 3, allocated as written
    expect(() => b.submit(model, greedy('x', [1], 60, log).spec)).toThrow(/blocks/);
    expect(() => b.submit(model, greedy('y', Array(128).fill(1), 1, log).spec)).toThrow(/context window/);
  });

  it('cancel retires at once and frees the blocks; the others go on with the same tokens as alone', async () => {
    const clock = manual();
    const b = new ContinuousBatcher({ maxBatch: 4, pause: clock.pause });
    const run = async () => {
      while (b.load.running + b.load.waiting) {
        await flush();
        clock.tick();
      }
    };
    const log: string[] = [];
    const alone = greedy('alone', [7, 8, 9], 12, log);
    b.submit(model, alone.spec);
    await run();
    const before = b.steps.length;
    const x = greedy('x', [7, 8, 9], 12, log), y = greedy('y', [1, 1, 1, 1], 40, log);
    b.submit(model, x.spec);
    const hy = b.submit(model, y.spec);
    await flush();
    clock.tick();
    await flush();
    expect(b.steps.slice(before).map((s) => s.batch)).toEqual([2, 2]);
    hy.cancel();
    expect(log.at(-1)).toBe('y:cancelled');
    expect(b.load).toEqual({ waiting: 0, running: 1 });
    await run();
    expect(x.out).toEqual(alone.out);
    expect(y.out.length).toBe(2);
    const after = b.steps.slice(before + 2);
    expect(after.every((s) => s.batch === 1)).toBe(true);
    expect(after.slice(0, -1).every((s) => s.blocksUsed === 1)).toBe(true); // y's blocks freed: only x's one
    expect(after.at(-1)!.blocksUsed).toBe(0);
  });

  it('choices of one request (same group, same prompt): one prefill, forked blocks, copy-on-write of the partial block', async () => {
    const b = new ContinuousBatcher({ maxBatch: 4 });
    const log: string[] = [];
    const prompt = Array.from({ length: 20 }, (_, i) => 3 + (i % 7)); // one full block + 4 positions
    const group = {};
    const solo = greedy('solo', prompt, 6, log);
    b.submit(model, solo.spec);
    while (b.load.running + b.load.waiting) await flush();
    const before = b.steps.length;
    const seqs = ['p', 'q', 'r'].map((n) => greedy(n, prompt, 6, log));
    for (const s of seqs) b.submit(model, { ...s.spec, group });
    while (b.load.running + b.load.waiting) await flush();
    const steps = b.steps.slice(before);
    expect(steps[0]).toMatchObject({ batch: 1, tokens: 20 }); // the prompt once
    expect(steps[1]).toMatchObject({ batch: 3, tokens: 3 });
    expect(steps.at(-1)!.copies).toBe(2); // the shared partial block: copied by two writers, the last writes in place
    for (const s of seqs) expect(s.out).toEqual(solo.out); // greedy: same tokens as alone
    expect(steps[1].blocksUsed).toBe(1 + 3); // the shared full block + one partial block each
  });
});

import { describe, expect, it } from 'vitest';
import { runRepeated, seedsFor } from '../../../src/lib/prompting/runner';
import { agreement } from '../../../src/lib/prompting/agreement';
import { scriptedEngine } from './scripted-engine';

describe('runRepeated', () => {
  it('runs N times with consecutive seeds and extracts answers', async () => {
    // a "model" whose answer depends on the seed: odd seeds say 9, even ones 3
    const eng = scriptedEngine((req) => `Thinking…\nAnswer: ${req.seed! % 2 ? 9 : 3}`);
    const seen: number[] = [];
    const res = await runRepeated(eng, [{ role: 'user', content: 'q' }], { n: 5, baseSeed: 41, params: { temperature: 0.8 }, onResult: (_r, i) => seen.push(i) });
    expect(res.map((r) => r.seed)).toEqual([41, 42, 43, 44, 45]);
    expect(res.map((r) => r.answer)).toEqual(['9', '3', '9', '3', '9']);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(eng.requests.every((q) => q.temperature === 0.8 && q.stream === false)).toBe(true);
    const a = agreement(res.map((r) => r.answer), '9');
    expect(a.agreement).toBeCloseTo(0.6);
    expect(a.majorityCorrect).toBe(true);
  });

  it('records per-run errors and stops on abort', async () => {
    const eng = scriptedEngine(['Answer: 1', new Error('boom'), 'Answer: 1']);
    const res = await runRepeated(eng, [{ role: 'user', content: 'q' }], { n: 3, baseSeed: 0 });
    expect(res.map((r) => r.error)).toEqual([undefined, 'boom', undefined]);
    const ac = new AbortController();
    const slow = scriptedEngine(() => {
      ac.abort();
      return 'Answer: 2';
    });
    await expect(runRepeated(slow, [{ role: 'user', content: 'q' }], { n: 3, baseSeed: 0, signal: ac.signal })).rejects.toThrow('Stopped');
    expect(slow.requests).toHaveLength(1);
  });

  it('seedsFor', () => {
    expect(seedsFor(10, 3)).toEqual([10, 11, 12]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  applyLogitBias,
  applyPresenceFrequencyPenalties,
  applyRepetitionPenalty,
  applyTemperature,
  argmax,
  logSoftmax,
  minP,
  renormalize,
  sampleIndex,
  softmax,
  topK,
  topLogprobIds,
  topP,
} from '../../../src/lib/sampling';

const close = (a: ArrayLike<number>, b: number[], eps = 1e-6) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(eps);
};

describe('truncation filters', () => {
  it('top-p 0.8 on [0.3, 0.1, 0.1, 0.5] keeps [0.3, 0, 0, 0.5], renormalised to [0.375, 0, 0, 0.625]', () => {
    const kept = topP([0.3, 0.1, 0.1, 0.5], 0.8);
    close(kept, [0.3, 0, 0, 0.5]);
    close(renormalize(kept), [0.375, 0, 0, 0.625]);
  });
  it('top-p keeps one more token when the mass is just short', () => {
    close(topP([0.3, 0.1, 0.1, 0.5], 0.81), [0.3, 0.1, 0, 0.5]); // tie 0.1/0.1: lower id first
    close(topP([0.3, 0.1, 0.1, 0.5], 0.1), [0, 0, 0, 0.5]); // always keeps the best token
    close(topP([0.3, 0.1, 0.1, 0.5], 1), [0.3, 0.1, 0.1, 0.5]);
  });
  it('top-p works on unnormalised weights (thresholds are on the share of the mass)', () => {
    close(topP([3, 1, 1, 5], 0.8), [3, 0, 0, 5]);
  });
  it('top-k keeps the k largest', () => {
    close(topK([0.1, 0.4, 0.2, 0.3], 2), [0, 0.4, 0, 0.3]);
    close(topK([0.1, 0.4, 0.2, 0.3], 0), [0.1, 0.4, 0.2, 0.3]);
    close(topK([0.1, 0.4, 0.2, 0.3], 9), [0.1, 0.4, 0.2, 0.3]);
  });
  it('min-p drops tokens below min_p × max', () => {
    // max 0.5 → threshold 0.25 at min_p 0.5
    close(minP([0.3, 0.1, 0.1, 0.5], 0.5), [0.3, 0, 0, 0.5]);
    close(minP([0.3, 0.1, 0.1, 0.5], 0.2), [0.3, 0.1, 0.1, 0.5]);
  });
});

describe('logit transforms', () => {
  it('softmax matches hand values and ignores -Infinity', () => {
    // softmax([0, ln 3]) = [0.25, 0.75]
    close(softmax([0, Math.log(3)]), [0.25, 0.75]);
    close(softmax([0, -Infinity, Math.log(3)]), [0.25, 0, 0.75]);
    close(softmax([1000, 1000]), [0.5, 0.5]);
    close(softmax([-Infinity, -Infinity]), [0, 0]);
  });
  it('logSoftmax is log of softmax', () => {
    const l = [0.5, -1, 2, 0];
    const p = softmax(l);
    close(logSoftmax(l), Array.from(p, Math.log), 1e-5);
  });
  it('temperature divides logits', () => {
    close(applyTemperature([2, -4], 0.5), [4, -8]);
    close(applyTemperature([2, -4], 2), [1, -2]);
  });
  it('logit bias adds per id (string keys like OpenAI) and ignores bad ids', () => {
    close(applyLogitBias([0, 0, 0], { '1': 5, '7': 3, x: 1 }), [0, 5, 0]);
    close(applyLogitBias([0, 0, 0], new Map([[2, -100]])), [0, 0, -100]);
  });
  it('repetition penalty divides positive and multiplies negative logits of seen tokens', () => {
    close(applyRepetitionPenalty([2, -2, 2, -2], [0, 1, 1], 2), [1, -4, 2, -2]);
  });
  it('presence and frequency penalties follow OpenAI', () => {
    // token 1 seen twice: 1 - (2*0.5 + 0.25) = -0.25; token 0 once: 1 - 0.75 = 0.25
    close(applyPresenceFrequencyPenalties([1, 1, 1], [1, 0, 1], 0.25, 0.5), [0.25, -0.25, 1]);
  });
  it('inputs are not mutated', () => {
    const a = new Float32Array([1, 2, 3]);
    topP(a, 0.5);
    topK(a, 1);
    applyTemperature(a, 0.1);
    applyRepetitionPenalty(a, [0], 3);
    close(a, [1, 2, 3]);
  });
});

describe('drawing', () => {
  it('sampleIndex follows the CDF', () => {
    expect(sampleIndex([0.25, 0, 0.75], 0)).toBe(0);
    expect(sampleIndex([0.25, 0, 0.75], 0.2499)).toBe(0);
    expect(sampleIndex([0.25, 0, 0.75], 0.25)).toBe(2);
    expect(sampleIndex([0.25, 0, 0.75], 0.9999999)).toBe(2);
    expect(sampleIndex([2, 6], 0.3)).toBe(1); // unnormalised
  });
  it('argmax takes the first of ties', () => {
    expect(argmax([1, 3, 3])).toBe(1);
    expect(argmax([])).toBe(-1);
  });
  it('topLogprobIds returns the k best, best first', () => {
    expect(topLogprobIds([-3, -1, -Infinity, -2, -0.5], 3).map((x) => x.id)).toEqual([4, 1, 3]);
    expect(topLogprobIds([-1], 5)).toEqual([{ id: 0, logprob: -1 }]);
  });
});

describe('sortedPositiveIds (packed-key fast sort)', () => {
  it('agrees with the comparator sort on random vectors with ties and zeros', async () => {
    const { sortedIds, sortedPositiveIds, createRng } = await import('../../../src/lib/sampling');
    const rng = createRng(3);
    for (let t = 0; t < 20; t++) {
      const v = Float32Array.from({ length: 300 }, () => (rng.next() < 0.3 ? 0 : Math.round(rng.next() * 20) / 20));
      const slow = sortedIds(v).filter((i) => v[i] > 0);
      expect(Array.from(sortedPositiveIds(v))).toEqual(slow);
    }
  });
});

describe('topK selection', () => {
  it('matches a full sort on random vectors with ties', async () => {
    const { sortedIds, topK, createRng } = await import('../../../src/lib/sampling');
    const rng = createRng(11);
    for (let t = 0; t < 30; t++) {
      const v = Float32Array.from({ length: 200 }, () => (rng.next() < 0.2 ? 0 : Math.round(rng.next() * 10) / 10));
      const k = 1 + Math.floor(rng.next() * 50);
      const keep = new Set(sortedIds(v).slice(0, k).filter((i) => v[i] > 0));
      expect(Array.from(topK(v, k))).toEqual(Array.from(v, (x, i) => (keep.has(i) ? x : 0)));
    }
  });
});

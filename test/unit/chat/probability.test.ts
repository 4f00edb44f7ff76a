import { describe, expect, it } from 'vitest';
import { probBucket, probOf, sequenceSurprise, tokenTooltip } from '../../../src/lib/chat/probability';

describe('probability helpers', () => {
  it('probOf and buckets', () => {
    expect(probOf(0)).toBe(1);
    expect(probOf(-Infinity)).toBe(0);
    expect(probOf(Math.log(0.25))).toBeCloseTo(0.25, 12);
    expect([0.05, 0.2, 0.5, 0.8, 0.95].map(probBucket)).toEqual([0, 1, 2, 3, 4]);
  });
  it('tooltip lists alternatives', () => {
    expect(tokenTooltip({ token: ' the', logprob: Math.log(0.5), top_logprobs: [{ token: ' the', logprob: Math.log(0.5) }, { token: ' a', logprob: Math.log(0.25) }] })).toBe(
      '" the": 50.0 %\nalternatives: " the" 50.0 %, " a" 25.0 %',
    );
  });
  it('mean surprise and perplexity', () => {
    // two tokens at p = 1/2 and 1/8 → mean -ln p = (ln2 + 3ln2)/2 = 2 ln2 → 2 bits, perplexity 4
    const s = sequenceSurprise([{ token: 'a', logprob: Math.log(0.5), top_logprobs: [] }, { token: 'b', logprob: Math.log(0.125), top_logprobs: [] }])!;
    expect(s.meanBits).toBeCloseTo(2, 12);
    expect(s.perplexity).toBeCloseTo(4, 12);
    expect(sequenceSurprise([])).toBeNull();
  });
});

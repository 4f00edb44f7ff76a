import { describe, expect, it } from 'vitest';
import { groupTokens, probBucket, probOf, sequenceSurprise, tokenTooltip } from '../../../src/lib/chat/probability';

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

describe('groupTokens', () => {
  const tok = (token: string) => ({ token, logprob: -1, top_logprobs: [] });
  it('closes groups at newlines once they are long enough and reuses closed groups', () => {
    const toks = ['a', 'b\n', 'c', 'd', 'e\n\n', 'f', 'g'].map(tok);
    const g1 = groupTokens(toks.slice(0, 6), [], 2);
    expect(g1.map((g) => g.map((t) => t.token).join(''))).toEqual(['ab\n', 'cde\n\n', 'f']);
    const g2 = groupTokens(toks, g1, 2);
    expect(g2.map((g) => g.map((t) => t.token).join(''))).toEqual(['ab\n', 'cde\n\n', 'fg']);
    expect(g2[0]).toBe(g1[0]);
    expect(g2[1]).toBe(g1[1]);
    expect(g2[2]).not.toBe(g1[2]);
    // a newline before minGroup tokens does not close a group
    expect(groupTokens(['x\n', 'y'].map(tok), [], 3)).toHaveLength(1);
    expect(groupTokens([], [], 3)).toEqual([]);
  });
});

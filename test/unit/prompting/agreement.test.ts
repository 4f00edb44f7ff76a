import { describe, expect, it } from 'vitest';
import { agreement, normalizeAnswer } from '../../../src/lib/prompting/agreement';

describe('normalizeAnswer', () => {
  it('ignores case, quotes, spacing, trailing punctuation and .0', () => {
    expect(normalizeAnswer('  "Negative". ')).toBe('negative');
    expect(normalizeAnswer('New   York')).toBe('new york');
    expect(normalizeAnswer('42.0')).toBe('42');
    expect(normalizeAnswer('４２')).toBe('42');
  });
});

describe('agreement', () => {
  it('all runs agree: agreement 1, entropy 0', () => {
    const s = agreement(['9', '9.', ' 9 '], '9');
    expect(s.agreement).toBe(1);
    expect(s.entropyBits).toBe(0);
    expect(s.distinct).toBe(1);
    expect(s.accuracy).toBe(1);
    expect(s.majorityCorrect).toBe(true);
  });

  it('counts, majority, entropy and accuracy for a split vote', () => {
    const s = agreement(['9', '3', '9', '29'], '3');
    expect(s.counts.map((c) => [c.answer, c.count])).toEqual([['9', 2], ['3', 1], ['29', 1]]);
    expect(s.majority).toBe('9');
    expect(s.agreement).toBe(0.5);
    // H = -(0.5 log2 0.5 + 2 · 0.25 log2 0.25) = 0.5 + 1 = 1.5 bits
    expect(s.entropyBits).toBeCloseTo(1.5, 12);
    expect(s.accuracy).toBe(0.25);
    expect(s.majorityCorrect).toBe(false);
  });

  it('ties go to the first answer seen; no runs gives zeros', () => {
    expect(agreement(['b', 'a', 'a', 'b']).majority).toBe('b');
    const empty = agreement([]);
    expect(empty).toMatchObject({ runs: 0, majority: null, agreement: 0, distinct: 0 });
    expect(empty.accuracy).toBeUndefined();
  });
});

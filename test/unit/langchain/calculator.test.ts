import { describe, expect, it } from 'vitest';
import { calculate, evaluate } from '../../../src/lib/langchain/calculator';
import data from '../../../src/lib/langchain/router-data.json';

describe('calculator tool', () => {
  it('evaluates with precedence, powers and parentheses (no eval)', () => {
    expect(evaluate('2 + 3 * 4')).toBe(14);
    expect(evaluate('(17 + 5) * 2')).toBe(44);
    expect(evaluate('2 ^ 3 ^ 2')).toBe(512);
    expect(evaluate('-3 + sqrt 81')).toBe(6);
    expect(() => evaluate('2 +')).toThrow(/expected a number/);
    expect(() => evaluate('alert(1)')).toThrow(/does not know/);
  });

  it('reads arithmetic in words', () => {
    const v = (q: string) => calculate(q).value;
    expect(v('What is 12 plus 30?')).toBe(42);
    expect(v('What is 15% of 80?')).toBe(12);
    expect(v('Divide 144 by 12.')).toBe(12);
    expect(v('Subtract 18 from 60.')).toBe(42);
    expect(v('What is the sum of 250 and 375?')).toBe(625);
    expect(v('Calculate 2 to the power of 10.')).toBe(1024);
    expect(v("What's 6 times 7?")).toBe(42);
    expect(v('Square root of 81?')).toBe(9);
    expect(v('What is 8 minus 13?')).toBe(-5);
    expect(v('How much is 3.5 times 4?')).toBe(14);
    expect(() => calculate('Write a haiku about autumn leaves.')).toThrow(/No arithmetic/);
  });

  it('answers every labelled calculator query but the word problem', () => {
    const failed = data.queries.filter((q) => q.route === 'calculator').filter((q) => {
      try {
        calculate(q.text);
        return false;
      } catch {
        return true;
      }
    });
    expect(failed.map((q) => q.text)).toEqual(['If I have 24 apples and eat 9, how many are left?']);
  });
});

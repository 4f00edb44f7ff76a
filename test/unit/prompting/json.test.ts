import { describe, expect, it } from 'vitest';
import { balancedEnd, extractJson } from '../../../src/lib/prompting/json';

describe('extractJson', () => {
  it('parses a bare JSON reply', () => {
    expect(extractJson(' {"a": 1} ')).toEqual({ ok: true, value: { a: 1 }, text: '{"a": 1}', from: 'whole' });
    expect(extractJson('[1,2]')).toMatchObject({ ok: true, value: [1, 2] });
  });

  it('finds JSON inside a code fence', () => {
    const r = extractJson('Sure! Here it is:\n```json\n{"name": "Ada"}\n```\nHope that helps.');
    expect(r).toMatchObject({ ok: true, value: { name: 'Ada' }, from: 'fence' });
  });

  it('scans prose for the first balanced object, ignoring braces inside strings', () => {
    const r = extractJson('The answer is {"text": "a } and { inside", "n": [1, {"x": 2}]} as requested.');
    expect(r).toMatchObject({ ok: true, value: { text: 'a } and { inside', n: [1, { x: 2 }] }, from: 'scan' });
  });

  it('skips a non-JSON brace group and takes a later valid one', () => {
    const r = extractJson('Use {name} as a placeholder. Result: {"name": "x"}');
    expect(r).toMatchObject({ ok: true, value: { name: 'x' } });
  });

  it('explains a cut-off object, prose with no JSON, and an empty reply', () => {
    const cut = extractJson('{"name": "Ada", "birthYear": 18');
    expect(cut.ok).toBe(false);
    if (!cut.ok) expect(cut.error).toMatch(/never closed/);
    const none = extractJson('I cannot do that.');
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.error).toMatch(/No JSON object or array/);
    expect(extractJson('   ')).toEqual({ ok: false, error: 'The reply is empty.' });
  });

  it('reports invalid JSON with the parser message (single quotes)', () => {
    const r = extractJson("Result: {'a': 1}");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/not valid JSON/);
  });
});

describe('balancedEnd', () => {
  it('handles escapes and mismatched brackets', () => {
    expect(balancedEnd('{"a":"\\"}"}', 0)).toBe(10);
    expect(balancedEnd('{]', 0)).toBe(-1);
    expect(balancedEnd('x[1,[2]]y', 1)).toBe(7);
  });
});

import { describe, expect, it } from 'vitest';
import { compileSchema, compileSchemaText, formatIssues } from '../../../src/lib/prompting/validate';
import { SCHEMA_PRESETS } from '../../../src/lib/prompting/presets';

const person = SCHEMA_PRESETS.find((p) => p.id === 'person')!.schema;

describe('compileSchema', () => {
  it('accepts a valid instance and reports precise issues for an invalid one', () => {
    const c = compileSchema(person);
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.value.validate({ name: 'Ada Lovelace', birthYear: 1815, city: 'London', occupation: 'mathematician' })).toEqual([]);
    const issues = c.value.validate({ name: 'Ada', birthYear: '1815', city: 'London', extra: true });
    const byKeyword = issues.map((i) => `${i.path}:${i.keyword}`).sort();
    // container errors ("Property birthYear does not match") are dropped in favour of the leaf ones
    expect(byKeyword).toEqual(['/birthYear:type', '/extra:additionalProperties', ':required'].sort());
    expect(issues.find((i) => i.path === '/extra')!.message).toBe('Property "extra" is not allowed by the schema.');
  });

  it('every preset schema compiles and rejects an empty object', () => {
    for (const p of SCHEMA_PRESETS) {
      const c = compileSchema(p.schema);
      expect(c.ok, p.id).toBe(true);
      if (c.ok) expect(c.value.validate({}).length, p.id).toBeGreaterThan(0);
    }
  });

  it('validates nested arrays (todos preset)', () => {
    const c = compileSchema(SCHEMA_PRESETS.find((p) => p.id === 'todos')!.schema);
    if (!c.ok) throw new Error(c.error);
    expect(c.value.validate({ tasks: [{ title: 'Call plumber', due: 'tomorrow', priority: 'high' }] })).toEqual([]);
    const issues = c.value.validate({ tasks: [{ title: 'x', due: null, priority: 'urgent' }] });
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('/tasks/0/priority');
  });

  it('rejects schemas with common mistakes, with the location', () => {
    expect(compileSchemaText('{type: object}')).toMatchObject({ ok: false });
    expect(compileSchema([])).toMatchObject({ ok: false });
    const bad = compileSchema({ type: 'object', properties: { age: { type: 'int' } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toBe('At #/properties/age: "int" is not a JSON Schema type (use one of array, boolean, integer, null, number, object, string).');
    expect(compileSchema({ required: 'name' })).toMatchObject({ ok: false });
  });

  it('formats issues as a bounded list', () => {
    const issues = Array.from({ length: 8 }, (_, i) => ({ path: `/a${i}`, keyword: 'type', message: `m${i}` }));
    const text = formatIssues(issues, 2);
    expect(text).toBe('- /a0: m0\n- /a1: m1\n- …and 6 more');
    expect(formatIssues([{ path: '', keyword: 'required', message: 'x' }])).toBe('- (root): x');
  });
});

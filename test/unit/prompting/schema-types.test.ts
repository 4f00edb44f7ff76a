import { describe, expect, it } from 'vitest';
import { schemaToTypeScript } from '../../../src/lib/prompting/schema-types';
import { SCHEMA_PRESETS } from '../../../src/lib/prompting/presets';

const preset = (id: string) => SCHEMA_PRESETS.find((p) => p.id === id)!.schema;

describe('schemaToTypeScript', () => {
  it('objects with required and optional fields, enums and numbers', () => {
    expect(schemaToTypeScript(preset('person'))).toBe(
      'interface Answer {\n  name: string;\n  birthYear: number;\n  city: string;\n  occupation: string;\n}',
    );
    expect(schemaToTypeScript(preset('sentiment'))).toBe('interface Answer {\n  sentiment: "positive" | "negative" | "neutral";\n  confidence: number;\n}');
  });

  it('nested arrays of objects, nullable types, optional keys, odd names', () => {
    expect(schemaToTypeScript(preset('todos'))).toBe(
      'interface Answer {\n  tasks: {\n    title: string;\n    due: string | null;\n    priority: "low" | "normal" | "high";\n  }[];\n}',
    );
    expect(schemaToTypeScript({ type: 'object', properties: { 'first-name': { type: 'string' }, tags: { type: 'array', items: { type: ['string', 'number'] } } } })).toBe(
      'interface Answer {\n  "first-name"?: string;\n  tags?: Array<string | number>;\n}',
    );
  });

  it('non-object roots, anyOf, const, $defs refs and empty schemas', () => {
    expect(schemaToTypeScript({ type: 'array', items: { type: 'integer' } }, 'Ids')).toBe('type Ids = number[];');
    expect(schemaToTypeScript({ anyOf: [{ type: 'string' }, { const: 3 }] })).toBe('type Answer = string | 3;');
    expect(schemaToTypeScript({ $defs: { Pet: { type: 'object', properties: { name: { type: 'string' } } } }, type: 'object', properties: { pet: { $ref: '#/$defs/Pet' } } })).toBe(
      'interface Answer {\n  pet?: Pet;\n}',
    );
    expect(schemaToTypeScript({})).toBe('type Answer = unknown;');
    expect(schemaToTypeScript({ type: 'object' })).toBe('type Answer = Record<string, unknown>;');
  });
});

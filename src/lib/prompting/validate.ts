/**
 * JSON Schema validation with @cfworker/json-schema (it interprets schemas, with no `eval`, so
 * it runs under the app's strict CSP — ajv compiles to code and would not).
 * This is the "Pydantic model" of the lab: a schema the reply must satisfy, with readable errors.
 */
import { Validator, type Schema } from '@cfworker/json-schema';

export interface ValidationIssue {
  /** JSON pointer into the instance, "" = the root */
  path: string;
  keyword: string;
  message: string;
}

export interface CompiledSchema {
  schema: Schema;
  /** [] when the value is valid */
  validate(value: unknown): ValidationIssue[];
}

const TYPES = new Set(['array', 'boolean', 'integer', 'null', 'number', 'object', 'string']);
// Keywords that only say "something below failed"; dropped when a more precise error exists.
const CONTAINER_KEYWORDS = new Set(['properties', 'items', 'prefixItems', 'additionalProperties', 'allOf', '$ref', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems']);

/** Parses schema text (JSON) and prepares a validator, or says what is wrong with the schema. */
export function compileSchemaText(text: string): { ok: true; value: CompiledSchema } | { ok: false; error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `The schema is not valid JSON: ${(e as Error).message}` };
  }
  return compileSchema(parsed);
}

/** Prepares a validator for a schema object, checking the mistakes learners commonly make. */
export function compileSchema(schema: unknown): { ok: true; value: CompiledSchema } | { ok: false; error: string } {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
    return { ok: false, error: 'A JSON Schema must be an object, like {"type": "object", "properties": {…}}.' };
  }
  const problem = lintSchema(schema as Record<string, unknown>, '#');
  if (problem) return { ok: false, error: problem };
  let validator: Validator;
  try {
    validator = new Validator(schema as Schema, '2020-12', false);
  } catch (e) {
    return { ok: false, error: `The schema could not be used: ${(e as Error).message}` };
  }
  return {
    ok: true,
    value: {
      schema: schema as Schema,
      validate(value: unknown): ValidationIssue[] {
        let result;
        try {
          result = validator.validate(value);
        } catch (e) {
          return [{ path: '', keyword: 'schema', message: `Validation failed inside the schema: ${(e as Error).message}` }];
        }
        if (result.valid) return [];
        const precise = result.errors.filter((er) => !CONTAINER_KEYWORDS.has(er.keyword));
        return (precise.length ? precise : result.errors).map((er) => {
          const path = er.instanceLocation.replace(/^#/, '');
          // cfworker says "False boolean schema." for a property that `additionalProperties: false` forbids.
          if (er.keyword === 'false') {
            const name = decodeURIComponent(path.split('/').pop() ?? '');
            return { path, keyword: 'additionalProperties', message: `Property "${name}" is not allowed by the schema.` };
          }
          return { path, keyword: er.keyword, message: er.error };
        });
      },
    },
  };
}

/** Finds unknown `type` names and malformed `required`/`properties`, recursively. */
function lintSchema(s: Record<string, unknown>, at: string): string | null {
  const t = s.type;
  const types = Array.isArray(t) ? t : t === undefined ? [] : [t];
  for (const name of types) {
    if (typeof name !== 'string' || !TYPES.has(name)) {
      return `At ${at}: "${String(name)}" is not a JSON Schema type (use one of ${[...TYPES].join(', ')}).`;
    }
  }
  if (s.required !== undefined && (!Array.isArray(s.required) || s.required.some((r) => typeof r !== 'string'))) {
    return `At ${at}: "required" must be an array of property names.`;
  }
  if (s.properties !== undefined) {
    if (!s.properties || typeof s.properties !== 'object' || Array.isArray(s.properties)) return `At ${at}: "properties" must be an object.`;
    for (const [k, sub] of Object.entries(s.properties as Record<string, unknown>)) {
      if (typeof sub === 'boolean') continue;
      if (!sub || typeof sub !== 'object' || Array.isArray(sub)) return `At ${at}/properties/${k}: each property needs a schema object.`;
      const p = lintSchema(sub as Record<string, unknown>, `${at}/properties/${k}`);
      if (p) return p;
    }
  }
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) {
    const p = lintSchema(s.items as Record<string, unknown>, `${at}/items`);
    if (p) return p;
  }
  return null;
}

/** The issues as a short list for a re-prompt or the UI: "- /age: Instance type "string" is invalid…". */
export function formatIssues(issues: ValidationIssue[], max = 6): string {
  const lines = issues.slice(0, max).map((i) => `- ${i.path || '(root)'}: ${i.message}`);
  if (issues.length > max) lines.push(`- …and ${issues.length - max} more`);
  return lines.join('\n');
}

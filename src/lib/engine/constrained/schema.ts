/**
 * Compiles the supported subset of JSON Schema into a small tree the byte-level acceptor walks.
 *
 * Supported (documented for learners and other labs):
 *  - `type`: object, array, string, number, integer, boolean, null, or an array of these
 *    (alternatives are chosen by their first character, so `["string", "null"]` works)
 *  - object: `properties` (keys may come in any order, each at most once), `required`,
 *    `additionalProperties` (false; or a schema for free-form objects without `properties`).
 *    Only declared properties are ever generated.
 *  - array: `items`, `minItems`, `maxItems`
 *  - string: `minLength`, `maxLength` (in characters); `enum`, `const` (any JSON values)
 *  - numbers: at most 12 integer digits, 6 fraction digits and a 2-digit exponent, so values stay
 *    finite and generation always terminates; with `minimum`/`maximum`/`exclusiveMinimum`/
 *    `exclusiveMaximum`, only integers inside the range are generated (checked digit by digit)
 *  - `anyOf` (any option's instance is valid; options are chosen by their first character, so
 *    `anyOf: [{type: string}, {type: null}]` — Pydantic's Optional — works), `allOf` with one
 *    schema, local `$ref` into `$defs`/`definitions` (Pydantic's nested models; recursion is
 *    limited to 3 levels)
 *  - annotations are ignored (title, description, default, examples, $schema, $id, $comment)
 * Anything else (pattern, format, multipleOf, oneOf, remote $ref, …) is rejected with an
 * `invalid-request` error rather than silently producing output that might not validate.
 */
import { EngineError } from '../errors';
import type { JSONSchema } from '../types';

const utf8 = new TextEncoder();

export interface ObjectProp {
  key: string;
  /** The key as it appears between the quotes (JSON-escaped), in UTF-8. */
  keyBytes: Uint8Array;
  node: SchemaNode;
  required: boolean;
}

export type SchemaNode =
  | { kind: 'object'; id: number; props: ObjectProp[]; free: SchemaNode | null; minLen: number }
  | { kind: 'array'; id: number; items: SchemaNode; min: number; max: number; minLen: number }
  | { kind: 'string'; id: number; min: number; max: number; minLen: number }
  // min/max (inclusive) make the acceptor generate integers within them only
  | { kind: 'number'; id: number; integer: boolean; min?: number; max?: number; minLen: number }
  | { kind: 'literal'; id: number; values: Uint8Array[]; minLen: number }
  | { kind: 'union'; id: number; options: SchemaNode[]; minLen: number };

const ANNOTATIONS = new Set([
  'title', 'description', 'default', 'examples', '$schema', '$id', '$comment', 'readOnly', 'writeOnly', 'deprecated',
  '$defs', 'definitions',
]);
const KNOWN = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems',
  'minLength', 'maxLength', 'enum', 'const', 'anyOf', 'allOf', '$ref',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
]);
/** How many times one $ref may be entered along a path (recursive schemas must bottom out). */
const MAX_REF_DEPTH = 3;

/** Longest free-form key and any-value nesting (keeps free-form output bounded). */
const FREE_KEY_MAX = 32;
const ANY_DEPTH = 3;

class Compiler {
  private next = 0;
  private anyCache = new Map<number, SchemaNode>();
  private refStack: string[] = [];

  constructor(private readonly root: JSONSchema) {}

  id(): number {
    return this.next++;
  }

  compile(schema: JSONSchema | boolean | undefined, path: string, depth = ANY_DEPTH): SchemaNode {
    if (schema === undefined || schema === true || (typeof schema === 'object' && Object.keys(schema).every((k) => ANNOTATIONS.has(k)))) {
      return this.any(depth);
    }
    if (schema === false) throw unsupported(path, 'a `false` schema accepts nothing');
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw unsupported(path, 'a schema must be an object');
    for (const k of Object.keys(schema)) {
      if (!KNOWN.has(k) && !ANNOTATIONS.has(k)) throw unsupported(path, `the keyword "${k}" is not supported`);
    }
    const own = Object.keys(schema).filter((k) => !ANNOTATIONS.has(k));
    if (typeof schema.$ref === 'string') {
      if (own.length > 1) throw unsupported(path, '$ref next to other keywords');
      return this.ref(schema.$ref, path, depth);
    }
    if (Array.isArray(schema.anyOf)) {
      // Any option's instance is valid for anyOf; the acceptor picks an option by first byte.
      if (own.length > 1) throw unsupported(path, 'anyOf next to other keywords');
      if (schema.anyOf.length === 0) throw unsupported(path, 'an empty anyOf accepts nothing');
      const options = (schema.anyOf as JSONSchema[]).map((o, i) => this.compile(o, `${path}.anyOf[${i}]`, depth));
      return options.length === 1 ? options[0] : this.union(options);
    }
    if (schema.allOf !== undefined) {
      if (!Array.isArray(schema.allOf) || schema.allOf.length !== 1 || own.length > 1) throw unsupported(path, 'allOf is supported only with one schema');
      return this.compile(schema.allOf[0] as JSONSchema, `${path}.allOf[0]`, depth);
    }
    if ('const' in schema) return this.literal([schema.const]);
    if (Array.isArray(schema.enum)) {
      if (schema.enum.length === 0) throw unsupported(path, 'an empty enum accepts nothing');
      return this.literal(schema.enum);
    }
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : null;
    if (!types) {
      // No type: infer from the keywords present.
      if (schema.properties || schema.additionalProperties !== undefined || schema.required) return this.object(schema, path, depth);
      if (schema.items || schema.minItems !== undefined || schema.maxItems !== undefined) return this.array(schema, path, depth);
      if (schema.minLength !== undefined || schema.maxLength !== undefined) return this.string(schema, path);
      return this.any(depth);
    }
    const options = types.map((t) => this.ofType(t, schema, path, depth));
    return options.length === 1 ? options[0] : this.union(options);
  }

  private ofType(type: string, schema: JSONSchema, path: string, depth: number): SchemaNode {
    switch (type) {
      case 'object':
        return this.object(schema, path, depth);
      case 'array':
        return this.array(schema, path, depth);
      case 'string':
        return this.string(schema, path);
      case 'number':
      case 'integer':
        return this.number(schema, path, type === 'integer');
      case 'boolean':
        return this.literal([true, false]);
      case 'null':
        return this.literal([null]);
      default:
        throw unsupported(path, `unknown type "${type}"`);
    }
  }

  /** Resolves a local JSON pointer (`#/$defs/Pet`) against the root schema. */
  private ref(ref: string, path: string, depth: number): SchemaNode {
    if (!ref.startsWith('#')) throw unsupported(path, `only local $ref ("#/...") is supported, not "${ref}"`);
    if (this.refStack.filter((r) => r === ref).length >= MAX_REF_DEPTH) throw unsupported(path, `$ref "${ref}" recurses more than ${MAX_REF_DEPTH} levels`);
    let target: unknown = this.root;
    for (const raw of ref.slice(1).split('/').filter(Boolean)) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      target = target && typeof target === 'object' ? (target as Record<string, unknown>)[key] : undefined;
    }
    if (target === undefined) throw unsupported(path, `$ref "${ref}" points nowhere`);
    this.refStack.push(ref);
    try {
      return this.compile(target as JSONSchema, `${path}→${ref}`, depth);
    } finally {
      this.refStack.pop();
    }
  }

  /**
   * Numbers. With bounds (minimum/maximum/exclusive*), only integers inside them are generated
   * (an integer in range is a valid number too); the acceptor checks at every digit that the
   * prefix can still end inside the range.
   */
  private number(schema: JSONSchema, path: string, integer: boolean): SchemaNode {
    const bound = (k: string) => {
      const v = schema[k];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw unsupported(path, `${k} must be a number`);
      return v;
    };
    const lo = [bound('minimum') !== undefined ? Math.ceil(bound('minimum')!) : -Infinity, bound('exclusiveMinimum') !== undefined ? Math.floor(bound('exclusiveMinimum')!) + 1 : -Infinity];
    const hi = [bound('maximum') !== undefined ? Math.floor(bound('maximum')!) : Infinity, bound('exclusiveMaximum') !== undefined ? Math.ceil(bound('exclusiveMaximum')!) - 1 : Infinity];
    const min = Math.max(...lo);
    const max = Math.min(...hi);
    if (min === -Infinity && max === Infinity) return { kind: 'number', id: this.id(), integer, minLen: 1 };
    if (min > max) throw unsupported(path, 'no integer lies within minimum/maximum');
    if (Math.max(Math.abs(min), Math.abs(max)) > 1e12 && Number.isFinite(Math.max(Math.abs(min), Math.abs(max)))) throw unsupported(path, 'bounds beyond 1e12');
    // Shortest integer in range: the one closest to zero.
    const nearest = min > 0 ? min : max < 0 ? max : 0;
    return { kind: 'number', id: this.id(), integer: true, min, max, minLen: String(nearest).length };
  }

  private string(schema: JSONSchema, path: string): SchemaNode {
    const min = intOr(schema.minLength, 0, `${path}.minLength`);
    const max = intOr(schema.maxLength, Infinity, `${path}.maxLength`);
    if (max < min) throw unsupported(path, 'maxLength < minLength');
    return { kind: 'string', id: this.id(), min, max, minLen: 2 + min };
  }

  private array(schema: JSONSchema, path: string, depth: number): SchemaNode {
    const items = this.compile(schema.items as JSONSchema | undefined, `${path}.items`, depth - 1);
    const min = intOr(schema.minItems, 0, `${path}.minItems`);
    const max = intOr(schema.maxItems, Infinity, `${path}.maxItems`);
    if (max < min) throw unsupported(path, 'maxItems < minItems');
    return { kind: 'array', id: this.id(), items, min, max, minLen: 2 + min * items.minLen + Math.max(0, min - 1) };
  }

  private object(schema: JSONSchema, path: string, depth: number): SchemaNode {
    const propsSchema = (schema.properties ?? {}) as Record<string, JSONSchema>;
    if (typeof propsSchema !== 'object' || Array.isArray(propsSchema)) throw unsupported(path, 'properties must be an object');
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    const props: ObjectProp[] = Object.entries(propsSchema).map(([key, s]) => ({
      key,
      keyBytes: utf8.encode(JSON.stringify(key).slice(1, -1)),
      node: this.compile(s, `${path}.${key}`, depth - 1),
      required: required.has(key),
    }));
    for (const key of required) {
      if (!(key in propsSchema)) {
        props.push({ key, keyBytes: utf8.encode(JSON.stringify(key).slice(1, -1)), node: this.any(depth - 1), required: true });
      }
    }
    if (props.length > 30) throw unsupported(path, 'more than 30 properties');
    let free: SchemaNode | null = null;
    if (props.length === 0 && schema.additionalProperties !== false) {
      const ap = schema.additionalProperties;
      free = this.compile(typeof ap === 'object' ? (ap as JSONSchema) : undefined, `${path}.additionalProperties`, depth - 1);
    }
    const req = props.filter((p) => p.required);
    const minLen = 2 + req.reduce((a, p) => a + keyCost(p), 0) + Math.max(0, req.length - 1);
    return { kind: 'object', id: this.id(), props, free, minLen };
  }

  private literal(values: unknown[]): SchemaNode {
    const bytes = values.map((v) => utf8.encode(JSON.stringify(v)));
    return { kind: 'literal', id: this.id(), values: bytes, minLen: Math.min(...bytes.map((b) => b.length)) };
  }

  private union(options: SchemaNode[]): SchemaNode {
    return { kind: 'union', id: this.id(), options, minLen: Math.min(...options.map((o) => o.minLen)) };
  }

  /** Any JSON value, nested at most `depth` containers deep. */
  any(depth: number): SchemaNode {
    const d = Math.max(0, depth);
    const hit = this.anyCache.get(d);
    if (hit) return hit;
    const scalars: SchemaNode[] = [
      { kind: 'string', id: this.id(), min: 0, max: 64, minLen: 2 },
      { kind: 'number', id: this.id(), integer: false, minLen: 1 },
      this.literal([true, false, null]),
    ];
    const options = [...scalars];
    if (d > 0) {
      const inner = this.any(d - 1);
      options.unshift(
        { kind: 'object', id: this.id(), props: [], free: inner, minLen: 2 },
        { kind: 'array', id: this.id(), items: inner, min: 0, max: 8, minLen: 2 },
      );
    }
    const node = this.union(options);
    this.anyCache.set(d, node);
    return node;
  }
}

/** Bytes of `"key":value` at its shortest. */
export function keyCost(p: ObjectProp): number {
  return p.keyBytes.length + 3 + p.node.minLen;
}

/** Shortest free-form member `"":v`. */
export function freeKeyCost(free: SchemaNode): number {
  return 3 + free.minLen;
}

export const FREE_KEY_MAX_CHARS = FREE_KEY_MAX;

function intOr(v: unknown, dflt: number, path: string): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw unsupported(path, 'must be a non-negative integer');
  return v;
}

function unsupported(path: string, why: string): EngineError {
  return new EngineError(
    'invalid-request',
    `Unsupported JSON schema at ${path}: ${why}.`,
    'TinyLM supports type, properties, required, additionalProperties, items, min/maxItems, min/maxLength, minimum/maximum, enum, const, anyOf, local $ref.',
  );
}

/** Compiles a JSON schema (see the file comment for the supported subset). */
export function compileSchema(schema: JSONSchema): SchemaNode {
  return new Compiler(schema).compile(schema, '$');
}

/** The schema of a TinyLM tool call body: {"name": <const name>, "arguments": <parameters>}. */
export function toolCallSchema(name: string, parameters: JSONSchema | undefined): SchemaNode {
  return compileSchema({
    type: 'object',
    properties: { name: { const: name }, arguments: parameters ?? { type: 'object' } },
    required: ['name', 'arguments'],
    additionalProperties: false,
  });
}

/** A tool call to any of `names`, arguments any JSON object (used until the name is known). */
export function toolCallAnySchema(names: string[]): SchemaNode {
  return compileSchema({
    type: 'object',
    properties: { name: { enum: names }, arguments: { type: 'object' } },
    required: ['name', 'arguments'],
    additionalProperties: false,
  });
}

/**
 * The TypeScript type a JSON Schema describes — what the program holds after validation
 * succeeds (the Pydantic model, seen from the TypeScript side). Covers the common keywords:
 * type (and type arrays), properties/required, items, enum, const, anyOf/oneOf, local $defs refs.
 */

type Schema = Record<string, unknown> | boolean;

/** `interface <name> {…}` (or `type <name> = …` for non-objects) for a schema. */
export function schemaToTypeScript(schema: unknown, name = 'Answer'): string {
  const root = (schema ?? {}) as Schema;
  const body = typeOf(root, 0, root);
  // An object type with properties reads best as an interface; anything else as a type alias.
  return body.startsWith('{') ? `interface ${name} ${body}` : `type ${name} = ${body};`;
}

function literal(v: unknown): string {
  return JSON.stringify(v) ?? 'unknown';
}

function typeOf(s: Schema, depth: number, root: Schema): string {
  if (s === true) return 'unknown';
  if (s === false) return 'never';
  if (typeof s.$ref === 'string') {
    const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(s.$ref);
    const defs = typeof root === 'object' ? ((root.$defs ?? root.definitions) as Record<string, Schema> | undefined) : undefined;
    // Named refs are written by name (recursive schemas stay finite).
    return m && defs?.[m[1]] ? m[1] : 'unknown';
  }
  if ('const' in s) return literal(s.const);
  if (Array.isArray(s.enum)) return s.enum.map(literal).join(' | ') || 'never';
  const union = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (Array.isArray(union)) return union.map((x) => typeOf(x, depth, root)).join(' | ');
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  if (!types.length) return typeof s.properties === 'object' ? objectType(s, depth, root) : 'unknown';
  return types.map((t) => primitive(t, s, depth, root)).join(' | ');
}

function primitive(t: string, s: Record<string, unknown>, depth: number, root: Schema): string {
  switch (t) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const items = (s.items ?? true) as Schema;
      const inner = typeOf(items, depth, root);
      return /[|\s]/.test(inner) && !inner.startsWith('{') ? `Array<${inner}>` : `${inner}[]`;
    }
    case 'object':
      return objectType(s, depth, root);
    default:
      return 'unknown';
  }
}

function objectType(s: Record<string, unknown>, depth: number, root: Schema): string {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const keys = Object.keys(props);
  if (!keys.length) return 'Record<string, unknown>';
  const pad = '  '.repeat(depth + 1);
  const lines = keys.map((k) => {
    const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
    return `${pad}${key}${required.has(k) ? '' : '?'}: ${typeOf(props[k], depth + 1, root)};`;
  });
  return `{\n${lines.join('\n')}\n${'  '.repeat(depth)}}`;
}

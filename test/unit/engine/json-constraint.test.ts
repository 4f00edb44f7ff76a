import { Validator } from '@cfworker/json-schema';
import { describe, expect, it } from 'vitest';
import { canEnd, initialState, minRemaining, step, stepBytes, type State } from '../../../src/lib/engine/constrained/acceptor';
import { compileSchema } from '../../../src/lib/engine/constrained/schema';
import type { JSONSchema } from '../../../src/lib/engine/types';
import { JsonTokenConstraint, VocabularyIndex, type MaskCache } from '../../../src/lib/engine/constrained/token-constraint';
import { createRng, sampleToken } from '../../../src/lib/sampling';
import { tinyEngine, tinyModel } from './tiny-fixture';

const enc = new TextEncoder();
const accepts = (schema: JSONSchema, text: string) => {
  const s = stepBytes(initialState([{ node: compileSchema(schema) }]), enc.encode(text));
  return !!s && canEnd(s);
};
const prefixOk = (schema: JSONSchema, text: string) => !!stepBytes(initialState([{ node: compileSchema(schema) }]), enc.encode(text));

const PERSON: JSONSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 12 },
    age: { type: 'integer' },
    score: { type: 'number' },
    ok: { type: 'boolean' },
    none: { type: 'null' },
    kind: { enum: ['a', 'b', 3, null] },
    fixed: { const: { x: [1, 2] } },
    tags: { type: 'array', items: { type: 'string', maxLength: 5 }, minItems: 1, maxItems: 3 },
    address: {
      type: 'object',
      properties: { city: { type: 'string' }, zip: { type: ['string', 'null'] } },
      required: ['city'],
      additionalProperties: false,
    },
  },
  required: ['name', 'age', 'tags'],
  additionalProperties: false,
};

describe('JSON acceptor', () => {
  it('accepts valid instances, in any key order, with bounded whitespace', () => {
    expect(accepts(PERSON, '{"name":"Ann","age":7,"tags":["x"]}')).toBe(true);
    expect(accepts(PERSON, '{"tags": ["x", "yy"], "age": -0, "name": "Ann"}')).toBe(true);
    expect(accepts(PERSON, JSON.stringify({ name: 'Zoë 🙂', age: 12, score: -1.5e3, ok: false, none: null, kind: 3, fixed: { x: [1, 2] }, tags: ['a'], address: { city: 'Oslo', zip: null } }))).toBe(true);
    expect(accepts(PERSON, '{"name":"A\\n\\u00e9\\"","age":1,"tags":["\\\\"]}')).toBe(true);
    expect(accepts({ type: 'number' }, '12.5')).toBe(true); // a top-level number may end at end of text
    expect(accepts({ type: 'array', items: { type: 'integer' } }, '[]')).toBe(true);
  });

  it('rejects what the schema forbids', () => {
    expect(accepts(PERSON, '{"name":"Ann","age":7}')).toBe(false); // tags required
    expect(prefixOk(PERSON, '{"name":"Ann","age":7}')).toBe(false); // cannot close yet
    expect(prefixOk(PERSON, '{"nam":')).toBe(false); // unknown key
    expect(prefixOk(PERSON, '{"name":"a","name"')).toBe(false); // duplicate key
    expect(prefixOk(PERSON, '{"age":7.')).toBe(false); // integer
    expect(prefixOk(PERSON, '{"age":07')).toBe(false); // leading zero
    expect(prefixOk(PERSON, '{"name":""')).toBe(false); // minLength 1
    expect(prefixOk(PERSON, '{"name":"1234567890123')).toBe(false); // maxLength 12
    expect(prefixOk(PERSON, '{"tags":[]')).toBe(false); // minItems 1
    expect(prefixOk(PERSON, '{"tags":["a","b","c",')).toBe(false); // maxItems 3
    expect(prefixOk(PERSON, '{"kind":"c')).toBe(false); // enum
    expect(prefixOk(PERSON, '{"ok":tru ')).toBe(false);
    expect(prefixOk(PERSON, '{   "name"')).toBe(false); // at most 2 whitespace bytes in a row
    expect(prefixOk(PERSON, '{"name":"\x01')).toBe(false); // control characters must be escaped
    expect(stepBytes(initialState([{ node: compileSchema({ type: 'string' }) }]), new Uint8Array([0x22, 0xff]))).toBeNull();
    expect(stepBytes(initialState([{ node: compileSchema({ type: 'string' }) }]), new Uint8Array([0x22, 0xed, 0xa0]))).toBeNull(); // surrogate
    expect(accepts({ type: 'object' }, '{"a":1} ')).toBe(false); // nothing after the value
  });

  it('minRemaining is the length of the shortest completion, decreasing by one along it', () => {
    const node = compileSchema(PERSON);
    let s: State | null = initialState([{ node }]);
    // Shortest instance: {"name":"x","age":0,"tags":[""]} → 32 bytes.
    expect(minRemaining(s)).toBe('{"name":"x","age":0,"tags":[""]}'.length);
    s = stepBytes(s, enc.encode('{"tags":["ab"'));
    expect(minRemaining(s!)).toBe('],"name":"x","age":0}'.length);
    // Greedy byte-by-byte completion: some byte always lowers it by exactly one.
    for (let guard = 0; guard < 100 && !canEnd(s!); guard++) {
      const r = minRemaining(s!);
      let next: State | null = null;
      for (let b = 0; b < 256 && !next; b++) {
        const t = step(s!, b);
        if (t && minRemaining(t) === r - 1) next = t;
      }
      expect(next).not.toBeNull();
      s = next;
    }
    expect(canEnd(s!)).toBe(true);
  });

  it('rejects unsupported keywords with a clear error', () => {
    expect(() => compileSchema({ type: 'string', format: 'email' })).toThrow(/format/);
    expect(() => compileSchema({ type: 'integer', multipleOf: 3 })).toThrow(/multipleOf/);
    expect(() => compileSchema({ oneOf: [] })).toThrow(/oneOf/);
  });
});

describe('constrained decoding with an untrained model', () => {
  const schemas: Array<[string, JSONSchema, number]> = [
    ['person (nested, enum, const, arrays)', PERSON, 120],
    ['top-level array of integers', { type: 'array', items: { type: 'integer' }, maxItems: 4 }, 40],
    ['enum only', { enum: ['red', 'green', 'blue'] }, 10],
    ['free-form json_object', { type: 'object' }, 60],
    ['tight budget forces early closing', PERSON, 36],
  ];
  const { model, tokenizer } = tinyModel(2);
  const vocab = new VocabularyIndex(tokenizer, model.config.vocabSize);
  const prompt = tokenizer.encode('<|im_start|>assistant\n');

  /** The engine's decoding loop, stripped down: sample under the mask until done or out of budget. */
  function generate(schema: JSONSchema, seed: number, maxTokens: number, cache: MaskCache): string {
    const c = new JsonTokenConstraint(compileSchema(schema), vocab, { cache });
    const session = model.newSession();
    const rng = createRng(seed);
    let logits = session.append(prompt);
    const ids: number[] = [];
    while (ids.length < maxTokens && !c.done) {
      const mask = c.mask(maxTokens - ids.length);
      const { id } = sampleToken(logits, { temperature: 1.3 }, rng, { allowed: (i) => mask[i] === 1, history: ids });
      if (vocab.endIds.includes(id)) break;
      c.advance(id);
      ids.push(id);
      logits = session.append([id]);
    }
    return tokenizer.decode(ids);
  }

  for (const [name, schema, maxTokens] of schemas) {
    it(`always parses and validates over 25 seeds: ${name}`, () => {
      const validator = new Validator(schema as never, '2020-12', false);
      const cache: MaskCache = new Map();
      for (let seed = 0; seed < 25; seed++) {
        const text = generate(schema, seed, maxTokens, cache);
        let value: unknown;
        expect(() => (value = JSON.parse(text)), text).not.toThrow();
        const v = validator.validate(value);
        expect(v.valid, `${text} ${JSON.stringify(v.errors.slice(-1))}`).toBe(true);
      }
    });
  }

  it('works end to end through response_format (engine, 3 seeds)', async () => {
    const engine = tinyEngine(2);
    const schema: JSONSchema = { type: 'object', properties: { n: { type: 'integer' }, s: { type: 'string', maxLength: 8 } }, required: ['n', 's'] };
    for (let seed = 0; seed < 3; seed++) {
      const r = await engine.chat.completions.create({
        messages: [{ role: 'user', content: 'JSON please' }],
        temperature: 1.2,
        seed,
        max_tokens: 40,
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema } },
      });
      const value = JSON.parse(r.choices[0].message.content as string);
      expect(new Validator(schema as never).validate(value).valid).toBe(true);
      expect(r.choices[0].finish_reason).toBe('stop');
    }
  });
});

describe('Pydantic-style schemas ($defs/$ref, Optional via anyOf)', () => {
  // What `Person.model_json_schema()` gives for: class Pet(BaseModel): kind: Literal['cat','dog']; name: str
  // class Person(BaseModel): name: str; nickname: Optional[str] = None; pets: list[Pet]
  const PYDANTIC: JSONSchema = {
    $defs: {
      Pet: {
        properties: { kind: { enum: ['cat', 'dog'], title: 'Kind', type: 'string' }, name: { title: 'Name', type: 'string', maxLength: 10 } },
        required: ['kind', 'name'],
        title: 'Pet',
        type: 'object',
      },
    },
    properties: {
      name: { title: 'Name', type: 'string', maxLength: 12 },
      nickname: { anyOf: [{ type: 'string', maxLength: 8 }, { type: 'null' }], default: null, title: 'Nickname' },
      pets: { items: { $ref: '#/$defs/Pet' }, title: 'Pets', type: 'array', maxItems: 2 },
    },
    required: ['name', 'pets'],
    title: 'Person',
    type: 'object',
  };

  it('accepts and rejects like the schema', () => {
    expect(accepts(PYDANTIC, '{"name": "Ann", "nickname": null, "pets": [{"kind": "cat", "name": "Tom"}]}')).toBe(true);
    expect(accepts(PYDANTIC, '{"name": "Ann", "nickname": "Annie", "pets": []}')).toBe(true);
    expect(prefixOk(PYDANTIC, '{"pets": [{"kind": "cow"')).toBe(false);
    expect(prefixOk(PYDANTIC, '{"nickname": 3')).toBe(false);
  });

  it('generates valid instances with an untrained model', async () => {
    const engine = tinyEngine(4);
    const validator = new Validator(PYDANTIC as never, '2020-12', false);
    for (let seed = 0; seed < 4; seed++) {
      const r = await engine.chat.completions.create({
        messages: [{ role: 'user', content: 'x' }],
        seed,
        max_tokens: 120,
        response_format: { type: 'json_schema', json_schema: { name: 'Person', schema: PYDANTIC } },
      });
      const text = r.choices[0].message.content as string;
      expect(validator.validate(JSON.parse(text)).valid, text).toBe(true);
    }
  });

  it('rejects recursion without a bottom and remote refs', () => {
    expect(() => compileSchema({ $defs: { N: { type: 'object', properties: { next: { $ref: '#/$defs/N' } }, required: ['next'] } }, $ref: '#/$defs/N' })).toThrow(/recurses/);
    expect(() => compileSchema({ $ref: 'https://example.com/s.json' })).toThrow(/local/);
    expect(() => compileSchema({ allOf: [{ type: 'string' }, { maxLength: 2 }] })).toThrow(/allOf/);
  });
});

describe('bounded integers (minimum/maximum)', () => {
  it('accepts exactly the integers in range', () => {
    const age: JSONSchema = { type: 'integer', minimum: 18, maximum: 130 };
    for (let v = -5; v <= 200; v++) expect(accepts(age, String(v)), String(v)).toBe(v >= 18 && v <= 130);
    expect(prefixOk(age, '2')).toBe(true); // 20..29
    expect(prefixOk(age, '14')).toBe(false); // 140.. too big, 14 too small
    expect(prefixOk(age, '-')).toBe(false);
    const neg: JSONSchema = { type: 'number', exclusiveMinimum: -10, exclusiveMaximum: -2 };
    for (let v = -12; v <= 0; v++) expect(accepts(neg, String(v)), String(v)).toBe(v > -10 && v < -2);
    expect(prefixOk(neg, '-3.')).toBe(false); // bounded numbers are generated as integers
    expect(accepts({ type: 'integer', minimum: 0, maximum: 0 }, '0')).toBe(true);
    expect(prefixOk({ type: 'integer', minimum: 0 }, '01')).toBe(false);
  });

  it('shortest completion of a bounded integer', () => {
    const node = compileSchema({ type: 'object', properties: { n: { type: 'integer', minimum: 100 } }, required: ['n'] });
    const s = stepBytes(initialState([{ node }]), enc.encode('{"n":1'));
    expect(minRemaining(s!)).toBe('00}'.length);
  });

  it('untrained model stays in range', async () => {
    const schema: JSONSchema = { type: 'object', properties: { age: { type: 'integer', minimum: 18, maximum: 99 }, t: { type: 'number', minimum: -5, maximum: 5 } }, required: ['age', 't'] };
    const engine = tinyEngine(6);
    const validator = new Validator(schema as never, '2020-12', false);
    for (let seed = 0; seed < 5; seed++) {
      const r = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], seed, max_tokens: 40, response_format: { type: 'json_schema', json_schema: { schema } } });
      const text = r.choices[0].message.content as string;
      expect(validator.validate(JSON.parse(text)).valid, text).toBe(true);
    }
  });
});

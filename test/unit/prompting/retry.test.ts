import { describe, expect, it } from 'vitest';
import { generateStructured, repairPrompt, schemaInstruction, summarizeStructured } from '../../../src/lib/prompting/retry';
import { compileSchema } from '../../../src/lib/prompting/validate';
import { EngineError } from '../../../src/lib/engine/errors';
import { scriptedEngine } from './scripted-engine';

const compiled = (() => {
  const c = compileSchema({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
  if (!c.ok) throw new Error(c.error);
  return c.value;
})();
const msgs = [{ role: 'system' as const, content: schemaInstruction(compiled.schema) }, { role: 'user' as const, content: 'Give n.' }];

describe('generateStructured', () => {
  it('succeeds first time without re-prompting', async () => {
    const eng = scriptedEngine('{"n": 3}');
    const r = await generateStructured(eng, msgs, { schema: compiled, maxAttempts: 3, constrained: false });
    expect(r.ok).toBe(true);
    expect(r.value).toEqual({ n: 3 });
    expect(r.attempts.map((a) => a.stage)).toEqual(['ok']);
    expect(eng.requests).toHaveLength(1);
    expect(eng.requests[0].response_format).toBeUndefined();
  });

  it('re-prompts with the parse error, then the validation error, then succeeds', async () => {
    const eng = scriptedEngine(['Sure, n is three', 'Here: {"n": "3"}', '{"n": 3}']);
    const r = await generateStructured(eng, msgs, { schema: compiled, maxAttempts: 3, constrained: false, params: { seed: 7, temperature: 0.5 } });
    expect(r.ok).toBe(true);
    expect(r.attempts.map((a) => a.stage)).toEqual(['parse', 'validate', 'ok']);
    // the second request carries the first reply and the error message
    const second = eng.requests[1].messages;
    expect(second.slice(-2)).toEqual([
      { role: 'assistant', content: 'Sure, n is three' },
      { role: 'user', content: repairPrompt(r.attempts[0]) },
    ]);
    expect(String(eng.requests[2].messages.at(-1)!.content)).toContain('/n: Instance type "string" is invalid');
    // a different seed per attempt, the rest of the parameters kept
    expect(eng.requests.map((q) => q.seed)).toEqual([7, 8, 9]);
    expect(eng.requests.every((q) => q.temperature === 0.5 && q.stream === false)).toBe(true);
  });

  it('truncates the echoed reply when asked (small context windows)', async () => {
    const eng = scriptedEngine(['x'.repeat(50), '{"n": 1}']);
    await generateStructured(eng, msgs, { schema: compiled, maxAttempts: 2, constrained: false, echoLimit: 10 });
    expect(eng.requests[1].messages.at(-2)).toEqual({ role: 'assistant', content: `${'x'.repeat(10)}…` });
  });

  it('gives up after maxAttempts', async () => {
    const eng = scriptedEngine('nope');
    const r = await generateStructured(eng, msgs, { schema: compiled, maxAttempts: 2, constrained: false });
    expect(r.ok).toBe(false);
    expect(r.attempts).toHaveLength(2);
  });

  it('asks for constrained decoding with the schema when enabled', async () => {
    const eng = scriptedEngine('{"n": 1}');
    await generateStructured(eng, msgs, { schema: compiled, maxAttempts: 1, constrained: true });
    expect(eng.requests[0].response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema: compiled.schema, strict: true } });
  });

  it('records an engine error as a failed attempt without retrying; an abort throws', async () => {
    const eng = scriptedEngine(new EngineError('invalid-request', 'response_format is not supported', 'Turn off constrained decoding.'));
    const r = await generateStructured(eng, msgs, { schema: compiled, maxAttempts: 3, constrained: true });
    expect(r.ok).toBe(false);
    expect(r.attempts).toEqual([{ reply: '', stage: 'engine', error: 'response_format is not supported Turn off constrained decoding.', ms: expect.any(Number) }]);
    const ac = new AbortController();
    ac.abort();
    await expect(generateStructured(scriptedEngine('{}'), msgs, { schema: compiled, maxAttempts: 3, constrained: false, signal: ac.signal })).rejects.toThrow(EngineError);
  });
});

describe('summarizeStructured', () => {
  it('computes success rates by attempt and failure counts', () => {
    const ok1 = { ok: true, attempts: [{ reply: '', stage: 'ok' as const, ms: 1 }] };
    const ok3 = { ok: true, attempts: [{ reply: '', stage: 'parse' as const, ms: 1 }, { reply: '', stage: 'validate' as const, ms: 1 }, { reply: '', stage: 'ok' as const, ms: 1 }] };
    const fail = { ok: false, attempts: [{ reply: '', stage: 'parse' as const, ms: 1 }, { reply: '', stage: 'parse' as const, ms: 1 }, { reply: '', stage: 'validate' as const, ms: 1 }] };
    const s = summarizeStructured([ok1, ok3, fail, ok1], 3);
    expect(s.runs).toBe(4);
    expect(s.successRate).toBe(0.75);
    expect(s.firstTryRate).toBe(0.5);
    expect(s.successByAttempt).toEqual([0.5, 0.5, 0.75]);
    expect(s.meanAttempts).toBe(2);
    expect(s.failures).toEqual({ parse: 3, validate: 2, engine: 0 });
    expect(summarizeStructured([], 3)).toMatchObject({ runs: 0, successRate: 0, meanAttempts: 0 });
  });
});

describe("retry: 'resample' (a small model with no room for a repair conversation)", () => {
  it('asks the same prompt again with the next seed', async () => {
    const eng = scriptedEngine(['{"n": ', '{"n": 4}']);
    const r = await generateStructured(eng, msgs, { schema: compiled, maxAttempts: 3, constrained: false, params: { seed: 3 }, retry: 'resample' });
    expect(r.ok).toBe(true);
    expect(r.attempts.map((a) => a.stage)).toEqual(['parse', 'ok']);
    expect(eng.requests.map((q) => q.messages)).toEqual([msgs, msgs]);
    expect(eng.requests.map((q) => q.seed)).toEqual([3, 4]);
  });
});

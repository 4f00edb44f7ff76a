import { describe, expect, it } from 'vitest';
import { createStreamingTestDouble, createTestDoubleEngine, exampleForSchema } from '../../../src/lib/engine/test-double';
import { runEngineContract } from './contract';

runEngineContract('test double', () => createTestDoubleEngine());

describe('test double specifics', () => {
  it('answers predictably and can be scripted', async () => {
    const e = createTestDoubleEngine();
    const r = await e.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0].message.content).toBe('You said: hi');
    const s = createTestDoubleEngine({ respond: () => 'scripted' });
    expect((await s.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] })).choices[0].message.content).toBe('scripted');
  });

  it('builds schema examples', () => {
    expect(exampleForSchema({ type: 'object', properties: { a: { type: 'integer' }, b: { enum: ['x'] } } })).toEqual({ a: 1, b: 'x' });
  });

  it('streams words at a rate and can be interrupted', async () => {
    const e = createStreamingTestDouble({ tokensPerSecond: 1000, totalTokens: 5 });
    const chunks = [];
    for await (const c of await e.chat.completions.create({ messages: [{ role: 'user', content: 'x' }], stream: true })) chunks.push(c);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('token 1 token 2 token 3 token 4 token 5 ');
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
  });
});

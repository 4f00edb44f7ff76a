import { describe, expect, it } from 'vitest';
import { addAssistantTurn, addUserTurn, editUserTurn, fromRow, newConversation, titleFrom, toRequestMessages, toRow, truncateForRegenerate } from '../../../src/lib/chat/conversation';

function sample() {
  const c = newConversation({ modelId: 'tinylm', systemPrompt: 'Be kind.' }, 1000);
  addUserTurn(c, 'Hello there\nsecond line', 1001);
  const a = addAssistantTurn(c, 'tinylm', 1002);
  a.content = 'Hi!';
  addUserTurn(c, 'Tell me a joke', 1003);
  const b = addAssistantTurn(c, 'tinylm', 1004);
  b.content = 'No.';
  return c;
}

describe('conversation model', () => {
  it('titles from the first user message and builds request messages with the system prompt', () => {
    const c = sample();
    expect(c.title).toBe('Hello there');
    expect(toRequestMessages(c)).toEqual([
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hello there\nsecond line' },
      { role: 'assistant', content: 'Hi!' },
      { role: 'user', content: 'Tell me a joke' },
      { role: 'assistant', content: 'No.' },
    ]);
    expect(toRequestMessages(c, 1)).toHaveLength(2);
  });

  it('skips empty failed assistant turns in the request', () => {
    const c = newConversation({ systemPrompt: '' });
    addUserTurn(c, 'q');
    const a = addAssistantTurn(c, 'm');
    a.error = { name: 'EngineError', message: 'x' };
    expect(toRequestMessages(c)).toEqual([{ role: 'user', content: 'q' }]);
  });

  it('regenerate drops the assistant turn and what follows', () => {
    const c = sample();
    const firstReply = c.messages[1].id;
    expect(truncateForRegenerate(c, c.messages[0].id)).toBe(false);
    expect(truncateForRegenerate(c, firstReply)).toBe(true);
    expect(c.messages.map((m) => m.content)).toEqual(['Hello there\nsecond line']);
  });

  it('edit and resend replaces the text and drops later turns', () => {
    const c = sample();
    const q2 = c.messages[2].id;
    expect(editUserTurn(c, c.messages[1].id, 'x')).toBe(false);
    expect(editUserTurn(c, q2, 'Tell me a fact')).toBe(true);
    expect(c.messages.map((m) => m.content)).toEqual(['Hello there\nsecond line', 'Hi!', 'Tell me a fact']);
    expect(c.messages[2].id).toBe(q2);
    editUserTurn(c, c.messages[0].id, 'New start');
    expect(c.title).toBe('New start');
  });

  it('titleFrom shortens long first lines', () => {
    expect(titleFrom('   ')).toBe('New chat');
    const t = titleFrom('a'.repeat(100));
    expect(t.length).toBeLessThanOrEqual(60);
    expect(t.endsWith('…')).toBe(true);
  });

  it('row round trip, and tolerant reading of damaged rows', () => {
    const c = sample();
    c.params.seed = 7;
    c.messages[1].stats = { completionTokens: 2, totalMs: 5, source: 'measured' };
    expect(fromRow(toRow(c))).toEqual(c);
    const damaged = fromRow({ id: 'x', title: '', modelId: 'm', messages: [null, { role: 'tool', content: 'x' }, { role: 'user', content: 'ok' }], params: { temperature: 0.1 }, createdAt: 5, updatedAt: 6 });
    expect(damaged.title).toBe('New chat');
    expect(damaged.messages).toHaveLength(1);
    expect(damaged.messages[0]).toMatchObject({ role: 'user', content: 'ok', createdAt: 5 });
    expect(damaged.params.temperature).toBe(0.1);
    expect(damaged.params.max_tokens).toBe(256);
  });
});

describe('fromRow with a malformed stored row', () => {
  it('keeps what it can and never hands the page a field of the wrong type', () => {
    const row = {
      id: 'x',
      title: 5,
      modelId: null,
      systemPrompt: { a: 1 },
      params: { temperature: 'hot', top_p: 0.5, stop: [1, 2], logit_bias: { '12': -100, abc: 3, '7': 'x' }, seed: 'no' },
      messages: [
        null,
        { role: 'user', content: 'hello', stats: { completionTokens: 'many' }, tokens: 'abc' },
        { role: 'assistant', content: 'hi', error: { message: 3 }, context: { window: '256' }, finishReason: 7 },
        { role: 'system', content: 'dropped' },
        { role: 'assistant', content: 42 },
      ],
      createdAt: 'yesterday',
      updatedAt: 10,
    } as unknown as Parameters<typeof fromRow>[0];
    const c = fromRow(row);
    expect(c.title).toBe('New chat');
    expect(c.systemPrompt).toBe('');
    expect(c.params.temperature).toBe(0.7);
    expect(c.params.top_p).toBe(0.5);
    expect(c.params.stop).toEqual([]);
    expect(c.params.logit_bias).toEqual({ '12': -100 });
    expect(c.params.seed).toBeNull();
    expect(c.messages.map((m) => m.content)).toEqual(['hello', 'hi']);
    expect(c.messages[0].stats).toBeUndefined();
    expect(c.messages[0].tokens).toBeUndefined();
    expect(c.messages[1].error).toBeUndefined();
    expect(c.messages[1].context).toBeUndefined();
    expect(c.messages[1].finishReason).toBeUndefined();
    expect(typeof c.createdAt).toBe('number');
  });
});

import { describe, expect, it } from 'vitest';
import { addAssistantTurn, addUserTurn, newConversation } from '../../../src/lib/chat/conversation';
import { exportFileName, fromJSON, toJSON, toMarkdown } from '../../../src/lib/chat/export';

function sample() {
  const c = newConversation({ modelId: 'tinylm-chat', systemPrompt: 'Be kind.' }, 0);
  c.params.seed = 3;
  addUserTurn(c, 'Write `code`', 1);
  const a = addAssistantTurn(c, 'tinylm-chat', 2);
  a.content = '```js\nlet x = 1;\n```';
  a.stats = { completionTokens: 9, ttftMs: 12, totalMs: 40, source: 'measured' };
  a.finishReason = 'abort';
  return c;
}

const at = new Date('2026-01-02T03:04:05Z');

describe('export', () => {
  it('Markdown has title, model, parameters, system prompt, turns and stats', () => {
    expect(toMarkdown(sample(), at)).toBe(
      [
        '# Write `code`',
        '',
        '- Model: `tinylm-chat`',
        '- Exported: 2026-01-02T03:04:05.000Z',
        '- Parameters: temperature=0.7, top_p=0.95, max_tokens=256, seed=3',
        '',
        '## System',
        '',
        'Be kind.',
        '',
        '## User',
        '',
        'Write `code`',
        '',
        '## Assistant',
        '',
        '```js\nlet x = 1;\n```',
        '',
        '> `tinylm-chat` · 9 tokens · TTFT 12 ms · total 40 ms · stopped by the user',
        '',
      ].join('\n'),
    );
  });

  it('JSON carries the full conversation and an OpenAI-shaped request, and imports back', () => {
    const c = sample();
    const text = toJSON(c, at);
    const data = JSON.parse(text);
    expect(data.format).toBe('llm-lab.conversation');
    expect(data.openai).toEqual({
      model: 'tinylm-chat',
      messages: [
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Write `code`' },
        { role: 'assistant', content: '```js\nlet x = 1;\n```' },
      ],
      temperature: 0.7,
      top_p: 0.95,
      max_tokens: 256,
      seed: 3,
    });
    const back = fromJSON(text, 99);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.value.id).not.toBe(c.id);
    expect({ ...back.value, id: c.id, updatedAt: c.updatedAt }).toEqual(c);
  });

  it('rejects files that are not exports, naming the problem', () => {
    expect(fromJSON('nope')).toMatchObject({ ok: false });
    const wrong = fromJSON(JSON.stringify({ format: 'llm-lab.conversation', version: 1, conversation: { title: 't', messages: [{ role: 'system', content: 'x' }] } }));
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error).toMatch(/conversation\.messages\.0\.role/);
  });

  it('file names are slugs', () => {
    expect(exportFileName(sample(), 'md', at)).toBe('chat-write-code-2026-01-02.md');
  });
});

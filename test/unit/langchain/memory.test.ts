import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { openLabDB } from '../../../src/lib/storage/db';
import { ConversationStore } from '../../../src/lib/chat/store';
import { EngineChatModel } from '../../../src/lib/langchain/chat-model';
import { IndexedDBChatHistory, MEMORY_PREFIX, MEMORY_SCRIPT, MEMORY_SCRIPT_ANSWER, MemoryConversation, engineCounter, selectMemory, type MemoryOptions } from '../../../src/lib/langchain/memory';
import { LabError } from '../../../src/lib/errors';
import { haveChat, shippedChatEngine } from '../../../scripts/lib/shipped-engine';

const opts = (o: Partial<MemoryOptions>): MemoryOptions => ({ strategy: 'trim', style: 'context', k: 3, system: 'Answer the question with words from the context.', window: 256, maxTokens: 32, temperature: 0, seed: 1, ...o });

describe('IndexedDB chat history', () => {
  it('stores LangChain messages in the conversations table under its own prefix, hidden from the chat playground', async () => {
    const db = openLabDB('lc-mem-1');
    const h = new IndexedDBChatHistory(db, 'buffer');
    await h.addMessages([new HumanMessage('Mosan lives in Dakar.'), new AIMessage('OK')]);
    const again = await new IndexedDBChatHistory(db, 'buffer').getMessages();
    expect(again.map((m) => [m.type, m.text])).toEqual([['human', 'Mosan lives in Dakar.'], ['ai', 'OK']]);
    expect(await db.conversations.get(`${MEMORY_PREFIX}buffer`)).toBeTruthy();
    expect((await new ConversationStore(db).list()).map((c) => c.id)).not.toContain(`${MEMORY_PREFIX}buffer`);
    await h.clear();
    expect(await h.getMessages()).toEqual([]);
    db.close();
  });

  it('a history too long to store gets a clear error and loses nothing', async () => {
    const db = openLabDB('lc-mem-2');
    const h = new IndexedDBChatHistory(db, 's', 300);
    await h.addMessages([new HumanMessage('short')]);
    const err = await h.addMessages([new HumanMessage('x'.repeat(400))]).catch((e) => e);
    expect(err).toBeInstanceOf(LabError);
    expect(err.code).toBe('too-large');
    expect(err.hint).toMatch(/Clear the conversation/);
    expect((await h.getMessages()).map((m) => m.text)).toEqual(['short']);
    // a browser quota failure becomes our 'quota' error
    const full = { conversations: { get: async () => undefined, put: async () => { throw Object.assign(new Error('full'), { name: 'QuotaExceededError' }); } } } as never;
    const q = await new IndexedDBChatHistory(full, 'q').addMessages([new HumanMessage('hi')]).catch((e) => e);
    expect(q.code).toBe('quota');
    db.close();
  });

  it('last-k keeps k turns; trim keeps the newest messages that fit the budget, starting on a human turn', async () => {
    const hist = Array.from({ length: 20 }, (_, i) => (i % 2 ? new AIMessage(`reply ${i}`) : new HumanMessage(`message number ${i}`)));
    const count = async (t: string) => t.split(' ').length;
    expect((await selectMemory(hist, 'q', opts({ strategy: 'last-k', k: 2 }), count)).map((m) => m.text)).toEqual(['message number 16', 'reply 17', 'message number 18', 'reply 19']);
    const trimmed = await selectMemory(hist, 'q', opts({ strategy: 'trim', style: 'messages', window: 80, maxTokens: 20, system: '' }), count);
    expect(trimmed.length).toBeGreaterThan(0);
    expect(trimmed.length).toBeLessThan(20);
    expect(trimmed[0].type).toBe('human');
    expect(trimmed[trimmed.length - 1].text).toBe('reply 19');
    expect(await selectMemory(hist, 'q', opts({ strategy: 'none' }), count)).toEqual([]);
  });
});

describe.skipIf(!haveChat)('memory with the shipped TinyLM chat model', () => {
  const engine = shippedChatEngine();
  const model = new EngineChatModel({ engine });
  const count = engineCounter((t) => engine.tokenize(t));

  it('30 turns: no prompt ever exceeds the 256-token window with trimming, last-k or summary memory', async () => {
    const db = openLabDB('lc-mem-30');
    const turns = [...MEMORY_SCRIPT, ...MEMORY_SCRIPT, ...MEMORY_SCRIPT];
    for (const style of ['context', 'messages'] as const) {
      for (const strategy of ['trim', 'last-k', 'summary'] as const) {
        const conv = new MemoryConversation(db, `${style}-${strategy}`, model, count);
        let max = 0;
        for (const t of turns) {
          const r = await conv.turn(t, opts({ strategy, style }));
          expect(r.promptTokens + 32).toBeLessThanOrEqual(256);
          max = Math.max(max, r.promptTokens);
        }
        expect((await conv.history.getMessages()).length).toBe(60);
        expect(max).toBeGreaterThan(40);
      }
    }
    // the whole buffer in chat style overflows the window before turn 10, with our error and next step
    const buf = new MemoryConversation(db, 'buffer', model, count);
    const errs: LabError[] = [];
    for (const t of MEMORY_SCRIPT) await buf.turn(t, opts({ strategy: 'buffer', style: 'messages' })).catch((e) => errs.push(e));
    expect(errs[0]).toBeInstanceOf(LabError);
    expect(errs[0].code).toBe('context-window');
    db.close();
  }, 120_000);

  it('the scripted conversation: the fact from turn 1 is recalled at turn 10 with memory and lost without', async () => {
    const db = openLabDB('lc-mem-script');
    const answer = async (strategy: MemoryOptions['strategy']) => {
      const conv = new MemoryConversation(db, `script-${strategy}`, model, count);
      let last = '';
      for (const t of MEMORY_SCRIPT) last = (await conv.turn(t, opts({ strategy }))).reply;
      return last;
    };
    expect(await answer('buffer')).toBe(MEMORY_SCRIPT_ANSWER);
    expect(await answer('trim')).toBe(MEMORY_SCRIPT_ANSWER);
    expect(await answer('none')).not.toContain(MEMORY_SCRIPT_ANSWER);
    expect(await answer('last-k')).not.toContain(MEMORY_SCRIPT_ANSWER); // k = 3: turn 1 fell out
    db.close();
  }, 60_000);
});

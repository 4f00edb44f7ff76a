import { describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openLabDB } from '../../../src/lib/storage/db';
import { ConversationStore } from '../../../src/lib/chat/store';
import { addAssistantTurn, addUserTurn, newConversation } from '../../../src/lib/chat/conversation';

describe('ConversationStore', () => {
  it('saves, lists newest first, loads, updates and removes', async () => {
    const db = openLabDB('chat-store-test', { indexedDB: new IDBFactory(), IDBKeyRange });
    const store = new ConversationStore(db);
    expect(await store.latest()).toBeUndefined();
    const a = newConversation({ modelId: 'm1' }, 100);
    addUserTurn(a, 'first', 100);
    const b = newConversation({ modelId: 'm2' }, 200);
    addUserTurn(b, 'second', 200);
    const reply = addAssistantTurn(b, 'm2', 201);
    reply.content = 'ok';
    reply.tokens = [{ token: 'ok', logprob: -0.5, top_logprobs: [{ token: 'no', logprob: -1 }] }];
    await store.save(a);
    await store.save(b);
    expect((await store.list()).map((s) => [s.title, s.turns])).toEqual([['second', 2], ['first', 1]]);
    expect(await store.get(b.id)).toEqual(b);
    a.updatedAt = 300;
    await store.save(a);
    expect((await store.latest())?.id).toBe(a.id);
    await store.remove(a.id);
    expect((await store.list()).map((s) => s.id)).toEqual([b.id]);
    db.close();
  });
});

/**
 * The chat under long conversations, long or hostile replies and interruptions, with the playground's
 * components in real Chromium and the engine test double:
 * - a 20-turn chat stays inside a small context window (oldest turns left out, marked);
 * - the question is stored at once and the partial reply while it streams, so New chat or a reload
 *   mid-reply loses nothing;
 * - a 10 MB reply renders in capped parts, Stop goes away, and the stored conversation reopens;
 * - a reply with a full-page `position:fixed` overlay stays inside its message box.
 */
import { describe, expect, it } from 'vitest';
import { render, fireEvent, waitFor } from '@testing-library/svelte';
import { createTestDoubleEngine } from '../../../src/lib/engine/test-double';
import type { ChatSession } from '../../../src/ui/chat/chat-session.svelte';
import { openLabDB } from '../../../src/lib/storage/db';
import { ConversationStore } from '../../../src/lib/chat/store';
import ChatHarness from './ChatHarness.svelte';

async function typeAndSend(container: HTMLElement, text: string) {
  const input = container.querySelector<HTMLTextAreaElement>('[data-chat-input]')!;
  await fireEvent.input(input, { target: { value: text } });
  await fireEvent.keyDown(input, { key: 'Enter' });
}

/** A database of its own per test (left open: a reply still finishing may save into it). */
function freshStore() {
  const db = openLabDB(`chat-durable-${Math.random()}`);
  return { db, store: new ConversationStore(db) };
}

describe('chat context window', () => {
  it('a 20-turn chat stays inside a 300-token window: no error, older turns left out and marked', async () => {
    const seen: number[] = [];
    // the double counts characters + 4 per message + 3, and refuses prompts over its window
    const engine = createTestDoubleEngine({ contextWindow: 300, respond: (req) => (seen.push(req.messages.length), `Reply with some words in it.`) });
    let session!: ChatSession;
    const { container } = render(ChatHarness, { engine, contextWindow: 300, expose: (s: ChatSession) => (session = s) });
    for (let i = 0; i < 20; i++) {
      await typeAndSend(container, `This is question number ${i}.`);
      await waitFor(() => expect(session.conversation.messages[2 * i + 1]?.stats).toBeDefined());
      expect(session.conversation.messages[2 * i + 1].error).toBeUndefined();
    }
    const last = session.conversation.messages.at(-1)!;
    expect(last.content).toBe('Reply with some words in it.');
    expect(last.context!.promptTokens + last.stats!.completionTokens).toBeLessThanOrEqual(300);
    expect(last.context!.droppedTurns).toBeGreaterThan(20);
    expect(seen.at(-1)).toBeLessThan(10);
    const cut = container.querySelector('[data-window-cut]')!;
    expect(cut.textContent).toContain(`${last.context!.droppedTurns} older messages`);
    expect(cut.textContent).toContain('300-token context window');
  });

  it('a reply that runs into the window is labelled as cut by the window, not by max_tokens', async () => {
    const engine = createTestDoubleEngine({ contextWindow: 100, respond: () => 'z'.repeat(500) });
    let session!: ChatSession;
    const { container } = render(ChatHarness, { engine, contextWindow: 100, expose: (s: ChatSession) => (session = s) });
    await typeAndSend(container, 'Write a lot.');
    await waitFor(() => expect(session.conversation.messages[1]?.stats).toBeDefined());
    const reply = session.conversation.messages[1];
    expect(reply.finishReason).toBe('length');
    expect(reply.context!.promptTokens + reply.content.length).toBe(100);
    expect(container.querySelector('[data-cut="window"]')?.textContent).toBe('cut by the 100-token context window');
    expect(container.querySelector('[data-cut="max_tokens"]')).toBeNull();
  });
});

describe('nothing lost mid-reply', () => {
  const slow = () => createTestDoubleEngine({ tokensPerSecond: 100, respond: () => 'word '.repeat(2000) });

  it('the question is stored before the reply starts, and the partial reply while it streams', async () => {
    const { store } = freshStore();
    let session!: ChatSession;
    const { container } = render(ChatHarness, { engine: slow(), store, loadMs: 400, expose: (s: ChatSession) => (session = s) });
    await typeAndSend(container, 'Do not lose me');
    // still loading the model: the question is already in IndexedDB
    await waitFor(async () => expect((await store.latest())?.messages.map((m) => m.content)).toEqual(['Do not lose me']));
    expect(session.loadingModel).toBe(true);
    // streaming: the partial reply reaches IndexedDB without a stop or an end
    await waitFor(async () => expect((await store.latest())?.messages[1]?.content.length ?? 0).toBeGreaterThan(20), { timeout: 4000 });
    expect(session.streaming).toBe(true);
    // A "reload": a second session on the same database reopens question and partial reply.
    let reopened!: ChatSession;
    const again = render(ChatHarness, { engine: slow(), store, expose: (s: ChatSession) => (reopened = s) });
    await waitFor(() => expect(reopened.ready).toBe(true));
    expect(reopened.conversation.messages[0].content).toBe('Do not lose me');
    expect(reopened.conversation.messages[1].content).toMatch(/^(word )+/);
    // a reply without an end is shown as interrupted
    await waitFor(() => expect(again.container.querySelector('[data-interrupted]')).not.toBeNull());
    session.stop();
    await waitFor(() => expect(session.streaming).toBe(false));
  });

  it('New chat mid-reply keeps the question and the partial reply, stored and marked stopped', async () => {
    const { store } = freshStore();
    let session!: ChatSession;
    const { container } = render(ChatHarness, { engine: slow(), store, expose: (s: ChatSession) => (session = s) });
    await typeAndSend(container, 'First question');
    await waitFor(() => expect(session.liveContent.length).toBeGreaterThan(10));
    const id = session.conversation.id;
    session.newChat();
    await waitFor(() => expect(session.streaming).toBe(false));
    expect(session.conversation.messages).toHaveLength(0);
    await waitFor(async () => {
      const old = await store.get(id);
      expect(old?.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
      expect(old?.messages[1].finishReason).toBe('abort');
      expect(old?.messages[1].content.length).toBeGreaterThan(10);
    });
    // reopening it shows both
    await session.open(id);
    expect(session.conversation.messages[1].content.startsWith('word word')).toBe(true);
  });
});

describe('long and hostile replies', () => {
  it('a 10 MB reply: rendered in capped parts, Stop goes away, the stored conversation reopens usable', async () => {
    const { store } = freshStore();
    const huge = 'hello world '.repeat(900_000); // 10.8 MB: marked alone overflows its stack on this
    let session!: ChatSession;
    const engine = createTestDoubleEngine({ respond: () => huge });
    // the double streams one character per token: give it the text in one piece instead
    const fast = { ...engine, chat: { completions: { create: async () => (async function* () {
      for (let i = 0; i < huge.length; i += 1_000_000) yield { id: 'x', object: 'chat.completion.chunk', created: 0, model: 'double', choices: [{ index: 0, delta: { content: huge.slice(i, i + 1_000_000) }, finish_reason: null }] };
      yield { id: 'x', object: 'chat.completion.chunk', created: 0, model: 'double', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
    })() } } } as unknown as typeof engine;
    const { container } = render(ChatHarness, { engine: fast, store, expose: (s: ChatSession) => (session = s) });
    await typeAndSend(container, 'flood me');
    await waitFor(() => expect(session.streaming).toBe(false), { timeout: 20_000 });
    await waitFor(() => expect(container.querySelector('[data-chat-stop]')).toBeNull());
    expect(session.conversation.messages[1].content.length).toBe(huge.length);
    const reply = container.querySelector('[data-role="assistant"]')!;
    expect(reply.querySelector('[data-reply-capped]')?.textContent).toContain('10.8 M characters');
    expect(reply.textContent!.length).toBeLessThan(250_000);
    expect(reply.querySelector('[data-reply-download]')).not.toBeNull();
    // Show more adds the next part
    const before = reply.textContent!.length;
    await fireEvent.click([...reply.querySelectorAll('button')].find((b) => b.textContent === 'Show more')!);
    expect(reply.textContent!.length).toBeGreaterThan(before + 150_000);
    // the stored conversation reopens and the page can send again
    await waitFor(async () => expect((await store.latest())?.messages[1]?.content.length).toBe(huge.length), { timeout: 10_000 });
    let reopened!: ChatSession;
    const again = render(ChatHarness, { engine: createTestDoubleEngine(), store, expose: (s: ChatSession) => (reopened = s) });
    await waitFor(() => expect(reopened.ready).toBe(true));
    await waitFor(() => expect(again.container.querySelector('[data-reply-capped]')).not.toBeNull(), { timeout: 10_000 });
    await typeAndSend(again.container, 'still alive?');
    await waitFor(() => expect(reopened.conversation.messages.at(-1)?.content).toBe('You said: still alive?'));
  }, 60_000);

  it('the position:fixed overlay from the issue stays inside its message; KaTeX keeps its layout styles', async () => {
    const payload =
      '<div style="position:fixed;inset:0;z-index:99999;background:#fff">Session expired. <a href="https://attacker.example/login">Log in again</a></div>\n\nSum: $\\frac{a}{b}$';
    let session!: ChatSession;
    const { container } = render(ChatHarness, { engine: createTestDoubleEngine({ respond: () => payload }), expose: (s: ChatSession) => (session = s) });
    await typeAndSend(container, 'x');
    await waitFor(() => expect(session.conversation.messages[1]?.stats).toBeDefined(), { timeout: 10_000 });
    const md = container.querySelector('[data-role="assistant"] .markdown')!;
    expect(md.textContent).toContain('Log in again');
    // no style attribute outside KaTeX's own output
    for (const el of md.querySelectorAll('[style]')) expect(el.closest('.katex'), el.outerHTML).not.toBeNull();
    expect(md.querySelectorAll('.katex [style]').length).toBeGreaterThan(0);
    // nothing covers the page: the link's box lies inside the message's box, and the corners of the
    // viewport are not the link
    const link = md.querySelector('a')!.getBoundingClientRect();
    const box = md.getBoundingClientRect();
    expect(link.width).toBeLessThan(window.innerWidth / 2);
    expect(link.top).toBeGreaterThanOrEqual(box.top - 1);
    expect(link.bottom).toBeLessThanOrEqual(box.bottom + 1);
    expect(getComputedStyle(md).contain).toMatch(/content|paint/);
    for (const [x, y] of [[2, 2], [window.innerWidth - 2, window.innerHeight - 2]]) {
      expect(document.elementFromPoint(x, y)?.closest('a')).toBeNull();
    }
  });
});

describe('rescue on pagehide', () => {
  it('a partial reply put in the rescue when the page closed is merged back on the next start', async () => {
    const { store } = freshStore();
    const mem = new Map<string, string>();
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v), removeItem: (k: string) => void mem.delete(k) } as unknown as Storage;
    const { localStorageRescue } = await import('../../../src/ui/chat/rescue');
    const rescue = localStorageRescue(storage);
    let session!: ChatSession;
    const engine = createTestDoubleEngine({ tokensPerSecond: 200, respond: () => 'word '.repeat(2000) });
    const { ChatSession: Session } = await import('../../../src/ui/chat/chat-session.svelte');
    session = new Session({ store, rescue, getEngine: async () => ({ engine, modelId: 'double' }) });
    await session.init();
    void session.send('keep everything');
    await waitFor(() => expect(session.liveContent.length).toBeGreaterThan(30));
    // the page closes: flush() runs (pagehide); IndexedDB may not finish, localStorage does
    session.flush();
    const onScreen = session.liveContent.length;
    expect(mem.size).toBe(1);
    session.stop();
    await waitFor(() => expect(session.streaming).toBe(false));
    // simulate an IndexedDB that lost the last writes: only the question made it
    const c = (await store.latest())!;
    await store.save({ ...c, messages: c.messages.slice(0, 1) });
    const next = new Session({ store, rescue, getEngine: async () => ({ engine, modelId: 'double' }) });
    await next.init();
    expect(next.conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(next.conversation.messages[1].content.length).toBeGreaterThanOrEqual(onScreen);
    expect(mem.size).toBe(0);
  });
});

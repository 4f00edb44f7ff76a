import { describe, expect, it } from 'vitest';
import { render, fireEvent, waitFor } from '@testing-library/svelte';
import { createStreamingTestDouble, createTestDoubleEngine } from '../../../src/lib/engine/test-double';
import type { ChatSession } from '../../../src/ui/chat/chat-session.svelte';
import { openLabDB } from '../../../src/lib/storage/db';
import { ConversationStore } from '../../../src/lib/chat/store';
import ChatHarness from './ChatHarness.svelte';

async function typeAndSend(container: HTMLElement, text: string) {
  const input = container.querySelector<HTMLTextAreaElement>('[data-chat-input]')!;
  await fireEvent.input(input, { target: { value: text } });
  await fireEvent.keyDown(input, { key: 'Enter' });
}

describe('chat playground components', () => {
  it('streams a reply, shows stats, renders Markdown after streaming, saves to IndexedDB', async () => {
    const db = openLabDB(`chat-ui-${Math.random()}`);
    const store = new ConversationStore(db);
    const engine = createTestDoubleEngine({ respond: () => 'Here is **bold** and `code`.' });
    const { container } = render(ChatHarness, { engine, store });
    await typeAndSend(container, 'Hello');
    await waitFor(() => expect(container.querySelector('[data-role="assistant"] [data-stats]')).not.toBeNull(), { timeout: 5000 });
    const reply = container.querySelector('[data-role="assistant"]')!;
    expect(reply.querySelector('strong')?.textContent).toBe('bold');
    expect(reply.querySelector('[data-stats]')!.textContent).toMatch(/\d+ tokens/);
    expect(container.querySelector('[data-role="user"]')!.textContent).toContain('Hello');
    await waitFor(async () => {
      const saved = await store.list();
      expect(saved).toHaveLength(1);
      expect(saved[0].turns).toBe(2);
    });
    db.close();
  });

  it('stop keeps the partial reply marked as stopped; regenerate asks again', async () => {
    const engine = createStreamingTestDouble({ tokensPerSecond: 200, totalTokens: 2000 });
    let session!: ChatSession;
    const { container } = render(ChatHarness, { engine, expose: (s: ChatSession) => (session = s) });
    await typeAndSend(container, 'Go');
    await waitFor(() => expect(session.liveContent.length).toBeGreaterThan(20));
    expect(container.querySelector('[data-streaming="true"]')).not.toBeNull();
    await fireEvent.click(container.querySelector('[data-chat-stop]')!);
    await waitFor(() => expect(session.streaming).toBe(false));
    const turn = session.conversation.messages[1];
    expect(turn.finishReason).toBe('abort');
    expect(turn.content.startsWith('token 1 token 2')).toBe(true);
    expect(turn.content.length).toBeLessThan(2000 * 8);
    expect(container.textContent).toContain('stopped');
    // regenerate: the stopped reply is replaced by a new one
    const regen = [...container.querySelectorAll('button')].find((b) => b.textContent === 'Regenerate')!;
    await fireEvent.click(regen);
    await waitFor(() => expect(session.streaming).toBe(true));
    session.stop();
    await waitFor(() => expect(session.streaming).toBe(false));
    expect(session.conversation.messages).toHaveLength(2);
    expect(session.conversation.messages[1].id).not.toBe(turn.id);
  });

  it('is busy while the model loads; stop during the load asks nothing', async () => {
    const seen: unknown[] = [];
    const engine = createTestDoubleEngine({ respond: (req) => (seen.push(req), 'x') });
    let session!: ChatSession;
    const { container } = render(ChatHarness, { engine, loadMs: 300, expose: (s: ChatSession) => (session = s) });
    await typeAndSend(container, 'q');
    await waitFor(() => expect(container.querySelector('[data-chat-loading]')).not.toBeNull());
    expect(container.querySelector('[data-chat-stop]')).not.toBeNull();
    await fireEvent.click(container.querySelector('[data-chat-stop]')!);
    await waitFor(() => expect(session.streaming).toBe(false));
    expect(session.conversation.messages.map((m) => m.role)).toEqual(['user']);
    expect(seen).toHaveLength(0);
    expect(container.querySelector('[data-chat-loading]')).toBeNull();
  });

  it('renders finished Markdown blocks while the reply still streams', async () => {
    const engine = createTestDoubleEngine({ respond: () => `First **bold** paragraph.\n\n${'more text '.repeat(40)}`, tokensPerSecond: 150 });
    let session!: ChatSession;
    const { container } = render(ChatHarness, { engine, expose: (s: ChatSession) => (session = s) });
    await typeAndSend(container, 'go');
    await waitFor(() => expect(container.querySelector('[data-streaming="true"] strong')?.textContent).toBe('bold'), { timeout: 5000 });
    expect(session.streaming).toBe(true);
    expect(container.querySelector('[data-streaming="true"] .plain')!.textContent).not.toContain('**');
    session.stop();
    await waitFor(() => expect(session.streaming).toBe(false));
  });

  it('edit and resend replaces the question and the answer', async () => {
    const engine = createTestDoubleEngine();
    let session!: ChatSession;
    const { container } = render(ChatHarness, { engine, expose: (s: ChatSession) => (session = s) });
    await typeAndSend(container, 'first question');
    await waitFor(() => expect(session.conversation.messages[1]?.stats).toBeDefined());
    await fireEvent.click([...container.querySelectorAll('button')].find((b) => b.textContent === 'Edit')!);
    const box = container.querySelector<HTMLTextAreaElement>('[data-role="user"] textarea')!;
    await fireEvent.input(box, { target: { value: 'second question' } });
    await fireEvent.click([...container.querySelectorAll('button')].find((b) => b.textContent === 'Save and resend')!);
    await waitFor(() => expect(session.conversation.messages[1]?.content).toBe('You said: second question'));
    expect(session.conversation.messages).toHaveLength(2);
  });

  it('colours tokens by probability when logprobs are on, and passes parameters to the engine', async () => {
    const seen: unknown[] = [];
    const engine = createTestDoubleEngine({ respond: (req) => (seen.push(req), 'abc') });
    let session!: ChatSession;
    const { container } = render(ChatHarness, { engine, expose: (s: ChatSession) => (session = s) });
    session.params.logprobs = true;
    session.params.seed = 9;
    session.params.temperature = 0.3;
    session.systemPrompt = 'Be terse.';
    await typeAndSend(container, 'x');
    await waitFor(() => expect(container.querySelectorAll('[data-role="assistant"] [data-token-probs] .tok')).toHaveLength(3));
    const req = seen[0] as { seed: number; temperature: number; logprobs: boolean; messages: Array<{ role: string; content: string }> };
    expect(req.seed).toBe(9);
    expect(req.temperature).toBe(0.3);
    expect(req.logprobs).toBe(true);
    expect(req.messages[0]).toEqual({ role: 'system', content: 'Be terse.' });
    const tok = container.querySelector('[data-token-probs] .tok')!;
    expect(tok.getAttribute('title')).toMatch(/^"a": \d+\.\d %/);
  });

  it('explains a bad logit bias and keeps the old value', async () => {
    let session!: ChatSession;
    const { container, getByText } = render(ChatHarness, { engine: createTestDoubleEngine(), expose: (s: ChatSession) => (session = s) });
    const bias = container.querySelector<HTMLTextAreaElement>('textarea[placeholder="198: -100"]')!;
    await fireEvent.input(bias, { target: { value: '12: -100' } });
    expect(session.params.logit_bias).toEqual({ '12': -100 });
    await fireEvent.input(bias, { target: { value: 'twelve: -100' } });
    expect(getByText(/"twelve" is not a token id/)).toBeTruthy();
    expect(session.params.logit_bias).toEqual({ '12': -100 });
    // look up ids with the model's tokenizer (the double: code points) and ban them
    await fireEvent.input(container.querySelector('input[aria-label="Text to look up token ids for"]')!, { target: { value: 'AB' } });
    await fireEvent.click([...container.querySelectorAll('button')].find((b) => b.textContent === 'Look up')!);
    await waitFor(() => expect(container.querySelector('[data-token-ids]')?.textContent).toBe('65, 66'));
    await fireEvent.click([...container.querySelectorAll('button')].find((b) => b.textContent?.startsWith('Ban them'))!);
    expect(session.params.logit_bias).toEqual({ '12': -100, '65': -100, '66': -100 });
    expect(bias.value).toBe('12: -100, 65: -100, 66: -100');
  });
});

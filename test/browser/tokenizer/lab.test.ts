import { describe, expect, it } from 'vitest';
import { render, fireEvent } from '@testing-library/svelte';
import { createWorkerClient } from '../../../src/lib/rpc/client';
import { createTokenizerClient } from '../../../src/lib/tokenizer/client';
import { fakeHost, until } from '../lessons/lab-host';
import { reactive } from '../lessons/reactive.svelte';
import meta from '../../../src/labs/tokenizer/meta';
import type { TokenizerLabApi } from '../../../src/lib/tokenizer/lab-api';

describe('tokenizer worker', () => {
  it('tokenizes with lazily loaded OpenAI encodings and trains with streamed merges', async () => {
    const client = createTokenizerClient();
    const [r50k, cl100k] = await client.call('tokenize', ['hello world', ['r50k', 'cl100k']]);
    expect('ids' in r50k && [...r50k.ids]).toEqual([31373, 995]);
    expect('ids' in cl100k && [...cl100k.ids]).toEqual([15339, 1917]);
    const updates: number[] = [];
    const sum = await client.call('train', ['the cat sat on the mat. the cat ate. '.repeat(100), 290, ['<|endoftext|>']], { onProgress: (u) => void updates.push(u.merges.length) });
    // Progress messages are posted before the result, so every merge has arrived by now.
    expect(updates.reduce((a, b) => a + b, 0)).toBe(sum.merges);
    const [mine] = await client.call('tokenize', ['the cat', ['trained']]);
    expect('ids' in mine && mine.ids.length).toBeLessThanOrEqual(2);
    expect(client.inPage).toBe(false);
    client.dispose();
  });

  it('a worker killed mid-training fails the training with worker-crashed; the next request gets a fresh worker', async () => {
    const workers: Worker[] = [];
    const client = createWorkerClient<TokenizerLabApi>({
      label: 'tokenizer',
      start: (name) => {
        const w = new Worker(new URL('../../../workers/tokenizer.worker.ts', import.meta.url), { type: 'module', name });
        workers.push(w);
        return w;
      },
    });
    let big = '';
    for (let i = 0; big.length < 2_000_000; i++) big += `word${i % 40_000} other${(i * 7) % 20_000} ${i}\n`;
    let killed = false;
    const training = client.call('train', [big, 4000, []], {
      onProgress: () => {
        // Killed behind the client's back, as the browser does when it reclaims a worker.
        if (!killed) workers[0].terminate();
        killed = true;
      },
    });
    const t0 = performance.now();
    const err = await training.catch((e) => e);
    expect(err).toMatchObject({ code: 'worker-crashed' });
    expect(err.hint).toMatch(/fresh worker/);
    expect(performance.now() - t0).toBeLessThan(5000);
    const [r] = await client.call('tokenize', ['hello', ['r50k']]);
    expect('ids' in r && [...r.ids]).toEqual([31373]);
    expect(workers).toHaveLength(2);
    client.dispose();
  });
});

describe('tokenizer lab component', () => {
  it('shows tokens, trains in the worker, ticks 1.1.a; rejects binary files; cancels', async () => {
    const host = fakeHost();
    const state = reactive({ ...meta.defaults(), text: 'hello world', tokenizers: ['trained', 'r50k'] as Array<'trained' | 'r50k'>, vocabSize: 300 });
    const { default: C } = await meta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', 30_000, 'ready');
    const gpt2 = r.container.querySelector('[data-tokenizer="r50k"]')!;
    await until(() => gpt2.querySelectorAll('[data-token]').length === 2, 30_000, 'gpt-2 tokens');
    expect([...gpt2.querySelectorAll('[data-token]')].map((e) => e.textContent)).toEqual(['hello', '·world']);

    // Typing updates the strip; state keeps the text.
    const ta = r.getByTestId('tokenizer-text') as HTMLTextAreaElement;
    await fireEvent.input(ta, { target: { value: 'hello world again' } });
    await until(() => gpt2.querySelectorAll('[data-token]').length === 3, 30_000, 'retokenized');
    expect(state.text).toBe('hello world again');

    // Train on the shipped stories (served by the test server from public/).
    await fireEvent.click(r.container.querySelector('[data-action="train"]')!);
    await until(() => r.container.querySelector('[data-trained]'), 30_000, 'trained');
    expect(r.container.querySelector('[data-trained]')!.textContent).toMatch(/Learned 41 merges/);
    await until(() => host.completed.some((c) => c.taskId === '1.1.a'), 30_000, '1.1.a');
    expect(host.completed[0].evidence).toMatchObject({ vocabSize: 300, merges: 41, corpus: 'stories' });
    await until(() => r.container.querySelectorAll('[data-tokenizer="trained"] [data-token]').length > 0, 30_000, 'trained tokens');
    expect(r.container.textContent).toMatch(/Merge \d+ of 41/);

    // A binary file is refused with a message.
    state.corpus = 'file';
    const input = (await until(() => r.container.querySelector('input[type="file"]'), 5000, 'file input')) as HTMLInputElement;
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2])], 'image.png'));
    input.files = dt.files;
    await fireEvent.change(input);
    await until(() => /binary file/.test(r.container.textContent ?? ''), 15_000, 'binary message');

    // A big text file trains long enough to be cancelled.
    let big = '';
    for (let i = 0; big.length < 3_000_000; i++) big += `word${i % 50_000} another${(i * 7) % 30_000} text ${i}\n`;
    const dt2 = new DataTransfer();
    dt2.items.add(new File([big], 'big.txt', { type: 'text/plain' }));
    input.files = dt2.files;
    await fireEvent.change(input);
    await until(() => /characters ready/.test(r.container.textContent ?? ''), 30_000, 'file ready');
    state.vocabSize = 2048;
    await fireEvent.click(r.container.querySelector('[data-action="train"]')!);
    const cancel = (await until(() => r.container.querySelector('[data-action="cancel"]'), 10_000, 'cancel button')) as HTMLElement;
    await fireEvent.click(cancel);
    await until(() => /Training cancelled/.test(r.container.textContent ?? ''), 15_000, 'cancelled');
    expect(host.completed.length).toBe(1);
    // The lab still works after the worker was replaced.
    await fireEvent.input(ta, { target: { value: 'hello' } });
    await until(() => gpt2.querySelectorAll('[data-token]').length === 1, 20_000, 'works after cancel');
    const trainedText = () => [...r.container.querySelectorAll('[data-tokenizer="trained"] [data-token]')].map((e) => e.textContent).join('');
    await until(() => trainedText() === 'hello', 20_000, 'trained tokenizer kept after cancel');
    r.unmount();
  });
});

describe('tokenizer lab layout', () => {
  it('fits a phone-width column without horizontal overflow', async () => {
    await import('../../../src/app/theme.css');
    const host = fakeHost();
    const state = reactive({ ...meta.defaults(), text: 'Tokenizers see bytes: "unbelievable", 12345, naïve café, 日本語 😀 '.repeat(3), tokenizers: ['r50k', 'o200k'] as Array<'r50k' | 'o200k'> });
    const box = document.createElement('div');
    box.style.width = '340px';
    document.body.append(box);
    const { default: C } = await meta.component();
    const r = render(C, { props: { state, ctx: host.ctx }, target: box });
    await until(() => host.status() === 'ready', 30_000, 'ready');
    await until(() => box.querySelectorAll('[data-tokenizer="o200k"] [data-token]').length > 10, 20_000, 'tokens');
    const wide = [...box.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > box.getBoundingClientRect().right + 1).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().width)}`);
    expect(wide.slice(0, 8)).toEqual([]);
    expect(box.scrollWidth).toBeLessThanOrEqual(341);
    // The example buttons fill the text (and the state).
    await fireEvent.click(r.getByRole('button', { name: 'Code' }));
    expect(state.text.startsWith('def fibonacci')).toBe(true);
    await until(() => (box.querySelector('[data-tokenizer="o200k"] [data-token]')?.textContent ?? '') === 'def', 20_000, 'code tokens');
    r.unmount();
    box.remove();
  });
});

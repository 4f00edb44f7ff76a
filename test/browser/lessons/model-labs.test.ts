/** The labs that run the shipped TinyLM in the inspect worker: results appear and tasks tick. */
import { describe, expect, it } from 'vitest';
import { render, fireEvent } from '@testing-library/svelte';
import { fakeHost, until } from './lab-host';
import { reactive } from './reactive.svelte';
import samplingMeta from '../../../src/labs/sampling/meta';
import contextMeta from '../../../src/labs/context-window/meta';
import attentionMeta from '../../../src/labs/attention/meta';
import blockMeta from '../../../src/labs/decoder-block/meta';
import ablationsMeta from '../../../src/labs/ablations/meta';

const T = 60_000;

describe('lesson 1.1 labs', () => {
  it('context-window: calculator figures, then the overflow demo ticks 1.1.b', async () => {
    const host = fakeHost({ deviceMemoryGiB: 8 });
    const state = reactive(contextMeta.defaults());
    const { default: C } = await contextMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready');
    // Llama 3.2 1B, 4096 tokens, f16 cache: 2·16·8·64·2 B = 32 KiB per token → 128 MiB
    expect(r.getByTestId('kv').textContent).toBe('128 MiB');
    await fireEvent.change(r.getByLabelText('Model'), { target: { value: 'Llama-3.1-8B-Instruct' } });
    expect(r.getByTestId('kv').textContent).toBe('512 MiB');
    expect(host.completed).toEqual([]);
    // Bad numbers never reach the state: −5 sequences become 1, 640 becomes the max of 64.
    const batch = r.getByLabelText(/Sequences in parallel/) as HTMLInputElement;
    await fireEvent.input(batch, { target: { value: '-5' } });
    expect(batch.value).toBe('1');
    expect(state.batch).toBe(1);
    await fireEvent.input(batch, { target: { value: '640' } });
    expect(state.batch).toBe(64);
    await fireEvent.input(batch, { target: { value: '1' } });
    // The context slider stops at 4× the trained window: TinyLM (256) → 1,024, not 1,048,576.
    await until(() => r.container.querySelector('option[value="tinylm-chat"]'), 10_000, 'TinyLM shapes');
    await fireEvent.change(r.getByLabelText('Model'), { target: { value: 'tinylm-chat' } });
    const slider = r.container.querySelector('input[type="range"]') as HTMLInputElement;
    await until(() => slider.max === '10', 5000, 'TinyLM slider range');
    expect(state.context).toBeLessThanOrEqual(1024);
    await fireEvent.change(r.getByLabelText('Model'), { target: { value: 'Llama-3.1-8B-Instruct' } });
    await fireEvent.click(r.getByRole('button', { name: 'Send the long prompt' }));
    await until(() => host.completed.length > 0, T, '1.1.b');
    expect(host.completed[0]!.taskId).toBe('1.1.b');
    expect(r.getByTestId('overflow').textContent).toMatch(/exceed the model's window of 256/);
    // Context is worth something: on held-out stories the loss falls as the model sees more.
    const losses = r.getByTestId('context-curve').dataset.losses!.split(' ').map(Number);
    expect(losses.length).toBe(8); // windows 1, 2, 4, … 128
    expect(losses[0]!).toBeGreaterThan(3); // one token of context: a poor guess
    expect(Math.min(...losses.slice(5))).toBeLessThan(1); // 32+ tokens of the story: under 1 nat
    expect(losses[5]!).toBeLessThan(losses[0]! / 4);
    for (let i = 1; i < 5; i++) expect(losses[i]!).toBeLessThan(losses[i - 1]!); // falls while inside the story
    r.unmount();
  });

  it('sampling: real distribution, cut tokens, seeded draws tick 1.1.c only after a change', async () => {
    const host = fakeHost();
    const state = reactive(samplingMeta.defaults());
    const { default: C } = await samplingMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    expect(r.container.querySelectorAll('.bar-row').length).toBe(20);
    await fireEvent.click(r.getByRole('button', { name: /Draw 8 samples/ }));
    await until(() => r.queryByTestId('draws'), T, 'draws');
    expect(host.completed).toEqual([]); // nothing changed yet
    state.topK = 3;
    await until(() => r.container.querySelectorAll('.bar-row.cut').length === 17, 5000, 'top-k cut');
    await fireEvent.click(r.getByRole('button', { name: /Draw 8 samples/ }));
    await until(() => host.completed.length > 0, T, '1.1.c');
    expect(host.completed[0]).toMatchObject({ taskId: '1.1.c', evidence: { changed: ['topK'] } });
    r.unmount();
  });
});

describe('sampling through the engine interface', () => {
  it('engine source: top logprobs of the current engine (test double here) and seeded draws tick 1.1.c', async () => {
    const host = fakeHost();
    const state = reactive({ ...samplingMeta.defaults(), source: 'engine' as const, temperature: 0.7, n: 3, maxTokens: 5 });
    const { default: C } = await samplingMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    await fireEvent.click(r.getByRole('button', { name: 'Get the next-token distribution' }));
    await until(() => r.container.querySelectorAll('.bar-row').length > 1 || r.container.querySelector('[role="alert"]'), T, 'bars');
    expect(r.container.querySelector('[role="alert"]')?.textContent ?? '').toBe('');
    await fireEvent.click(r.getByRole('button', { name: 'Draw 3 samples' }));
    await until(() => host.completed.length > 0, T, '1.1.c');
    expect(host.completed[0]).toMatchObject({ taskId: '1.1.c', evidence: { source: 'engine' } });
    expect(r.getByTestId('engine-draws').querySelectorAll('li').length).toBe(3);
    r.unmount();
  });
});

describe('lesson 2.1 labs', () => {
  it('attention: maps per head, written-out arithmetic, ticks 2.1.a on exploring', async () => {
    const host = fakeHost();
    const state = reactive(attentionMeta.defaults());
    const { default: C } = await attentionMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    const toks = r.getByTestId('tokens').querySelectorAll('button');
    expect(toks.length).toBeGreaterThan(10);
    await fireEvent.mouseEnter(toks[3]!);
    const rows = r.getByTestId('head-math').querySelectorAll('tbody tr');
    expect(rows.length).toBe(toks.length);
    const weights = [...rows].map((tr) => Number(tr.lastElementChild!.textContent));
    expect(weights.slice(0, 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    expect(weights.slice(4).every((w) => w === 0)).toBe(true);
    await fireEvent.click(r.getByRole('button', { name: 'layer 1 head 2' }));
    await until(() => host.completed.length > 0, 5000, '2.1.a');
    r.unmount();
  });

  it('decoder-block: steps with shapes; a full block ticks 2.1.b', async () => {
    const host = fakeHost();
    const state = reactive(blockMeta.defaults());
    const { default: C } = await blockMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    expect(r.getByTestId('current-step').textContent).toMatch(/Token embeddings \[\d+ × \d+\]/);
    expect(r.container.querySelector('.box.on')!.textContent).toMatch(/Token embedding/);
    const next = r.getByRole('button', { name: /Next step/ });
    for (let i = 0; i < 13; i++) await fireEvent.click(next);
    await until(() => host.completed.length > 0, 5000, '2.1.b');
    expect(r.getByTestId('current-step').textContent).toMatch(/L1 · RMSNorm \(before attention\)/);
    await fireEvent.click(next);
    expect(r.container.querySelector('.box.on')!.textContent).toMatch(/attention/);
    r.unmount();
  });

  it('ablations: the intact loss matches metrics.json; removing parts raises it and ticks 2.1.c; tiny training runs', async () => {
    const host = fakeHost();
    const state = reactive({ ...ablationsMeta.defaults(), trainSteps: 10 });
    const { default: C } = await ablationsMeta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    const loss = () => Number(r.getByTestId('ablated-loss').textContent);
    const before = loss();
    // Held-out stories from the model's own generator: near the training script's 200-story figure.
    const metrics = await (await fetch('/models/tinylm-base/metrics.json')).json();
    expect(Math.abs(before - metrics.heldOutStories.loss)).toBeLessThan(0.1);
    expect(Number(r.getByTestId('intact-loss').textContent)).toBe(before);
    const raisedBy = async (label: string) => {
      const prev = loss();
      await fireEvent.click(r.getByLabelText(label));
      await until(() => loss() !== prev, T, `loss update after ${label}`);
      return loss();
    };
    const noFfn = await raisedBy('layer 0 feed-forward on');
    expect(noFfn).toBeGreaterThan(before + 0.5);
    await until(() => host.completed.length > 0, T, '2.1.c');
    await fireEvent.click(r.getByLabelText('layer 0 feed-forward on')); // back on
    await until(() => loss() === before, T, 'restored');
    expect(await raisedBy('layer 1 residual on')).toBeGreaterThan(before + 1);
    await fireEvent.click(r.getByLabelText('layer 1 residual on'));
    await until(() => loss() === before, T, 'restored');
    expect(await raisedBy('final RMSNorm')).toBeGreaterThan(before + 0.3);
    expect(await raisedBy('layer 1 norms on')).toBeGreaterThan(before + 0.3);
    // Out-of-distribution text: the default hand-written story is near a uniform guess, a held-out story is not.
    await until(() => r.queryByTestId('ood-loss'), T, 'ood loss');
    expect(Number(r.getByTestId('ood-loss').textContent)).toBeGreaterThan(Math.log(1024) * 0.75);
    expect(r.getByTestId('ood-reason').textContent).toMatch(/out of TinyLM's distribution/);
    await fireEvent.click(r.getByRole('button', { name: 'Paste a held-out story instead' }));
    await until(() => Number(r.getByTestId('ood-loss').textContent) < 1.5, T, 'held-out story loss');
    await fireEvent.click(r.getByRole('button', { name: 'Train and compare' }));
    await until(() => r.container.textContent?.includes('no residual connections'), T, 'curves');
    r.unmount();
  });
});

/** The speculative-decoding lab on the shipped TinyLM + draft, in its worker: results appear, the task ticks. */
import { describe, expect, it } from 'vitest';
import { render, fireEvent } from '@testing-library/svelte';
import { fakeHost, until } from '../lessons/lab-host';
import { reactive } from '../lessons/reactive.svelte';
import meta from '../../../src/labs/speculative/meta';

const T = 60_000;

describe('speculative lab', () => {
  it('greedy defaults: coloured tokens identical to plain greedy, α and tokens/call shown; γ change ticks 3.1.c', async () => {
    const host = fakeHost();
    const state = reactive(meta.defaults());
    const { default: C } = await meta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    expect(r.getByTestId('identical').textContent).toMatch(/identical/);
    const kinds = [...r.getByTestId('spec-tokens').querySelectorAll('[data-kind]')].map((e) => e.getAttribute('data-kind'));
    expect(kinds.length).toBeGreaterThan(20); // up to maxTokens; a story may end earlier (stop id 0)
    expect(kinds.length).toBeLessThanOrEqual(state.maxTokens);
    expect(kinds).toContain('accepted');
    const alpha = Number(r.getByTestId('alpha').querySelector('strong')!.textContent);
    expect(alpha).toBeGreaterThan(0.3);
    expect(alpha).toBeLessThanOrEqual(1);
    expect(r.getByTestId('tpc').textContent).toMatch(/theory/);
    expect(r.getByTestId('speedup').textContent).toMatch(/×/);
    expect(host.completed).toEqual([]);
    state.gamma = 2;
    await fireEvent.input(r.getByLabelText('gamma'));
    await until(() => host.completed.length > 0, T, '3.1.c');
    expect(host.completed[0]!.taskId).toBe('3.1.c');
    r.unmount();
  });

  it('sampling mode and the γ sweep draw both charts', async () => {
    const host = fakeHost();
    const state = reactive({ ...meta.defaults(), mode: 'sample' as const, maxTokens: 60 });
    const { default: C } = await meta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    expect(r.getByTestId('alpha').textContent).toMatch(/Σ min\(p, q\)/);
    await fireEvent.click(r.getByRole('button', { name: /Sweep/ }));
    await until(() => r.queryByTestId('sweep'), T, 'sweep');
    expect(r.getByTestId('sweep').querySelectorAll('svg').length).toBe(2);
    r.unmount();
  });
});

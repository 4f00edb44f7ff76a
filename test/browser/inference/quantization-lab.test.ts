/** The quantization lab in its worker: every format measured on the shipped tinylm-base; a learner's run ticks 3.1.a. */
import { describe, expect, it } from 'vitest';
import { render, fireEvent } from '@testing-library/svelte';
import { fakeHost, until } from '../lessons/lab-host';
import { reactive } from '../lessons/reactive.svelte';
import meta from '../../../src/labs/quantization/meta';

const T = 120_000;

describe('quantization lab', () => {
  it('measures F32 … AWQ: sizes shrink, Q8_0 is close to F32, AWQ table shown; the button ticks 3.1.a', async () => {
    const host = fakeHost();
    const state = reactive({ ...meta.defaults(), evalStories: 8 });
    const { default: C } = await meta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    await until(() => r.queryByTestId('awq'), T, 'all rows');
    const rows = [...r.getByTestId('quant-table').querySelectorAll('tbody tr')].map((tr) => tr.getAttribute('data-variant'));
    expect(rows).toEqual(['f32', 'f16', 'q8_0', 'q4_0', 'nf4', 'int4-rtn', 'int4-awq']);
    const cell = (v: string, i: number) => r.getByTestId('quant-table').querySelector(`tr[data-variant="${v}"]`)!.querySelectorAll('td')[i]!.textContent!;
    expect(cell('q8_0', 2)).toBe('8.500');
    expect(cell('q4_0', 2)).toBe('4.500');
    expect(Math.abs(parseFloat(cell('q8_0', 4)))).toBeLessThan(1); // Q8_0 within 1 % of F32's perplexity
    expect(host.completed).toEqual([]);
    await fireEvent.click(r.getByRole('button', { name: 'Quantize and measure' }));
    await until(() => host.completed.length > 0, T, '3.1.a');
    expect(host.completed[0]!.taskId).toBe('3.1.a');
    r.unmount();
  }, 300_000);
});

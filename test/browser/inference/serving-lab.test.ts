/** The serving lab in its worker: both policies run the seeded workload, outputs match running alone; a run ticks 3.1.d. */
import { describe, expect, it } from 'vitest';
import { render, fireEvent } from '@testing-library/svelte';
import { fakeHost, until } from '../lessons/lab-host';
import { reactive } from '../lessons/reactive.svelte';
import meta from '../../../src/labs/serving/meta';

const T = 120_000;

describe('serving lab', () => {
  it('defaults: static and continuous rows, identical outputs, charts; the button ticks 3.1.d', async () => {
    const host = fakeHost();
    const state = reactive({ ...meta.defaults(), requests: 6 });
    const { default: C } = await meta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    const table = r.getByTestId('serving-table');
    expect([...table.querySelectorAll('tbody tr')].map((tr) => tr.getAttribute('data-policy'))).toEqual(['static', 'continuous']);
    const steps = (p: string) => Number(table.querySelector(`tr[data-policy="${p}"]`)!.querySelectorAll('td')[1]!.textContent);
    expect(steps('continuous')).toBeLessThanOrEqual(steps('static'));
    expect(r.getByTestId('serving-identical').textContent).toMatch(/identical/);
    expect(r.container.querySelectorAll('svg').length).toBeGreaterThanOrEqual(3);
    expect(host.completed).toEqual([]);
    await fireEvent.click(r.getByRole('button', { name: 'Serve the workload both ways' }));
    await until(() => host.completed.length > 0, T, '3.1.d');
    expect(host.completed[0]!.taskId).toBe('3.1.d');
    r.unmount();
  }, 300_000);
});

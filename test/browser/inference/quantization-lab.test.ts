/**
 * The quantization lab in its worker: every format measured on the shipped tinylm-base, both bit
 * counts shown, GGUF files saved for the types GGUF holds; a learner's run ticks 3.1.a.
 */
import { describe, expect, it, vi } from 'vitest';
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
    expect(rows).toEqual(['f32', 'f16', 'q8_0', 'q4_0', 'q4_0-awq', 'nf4', 'int4-rtn', 'int4-awq']);
    const cell = (v: string, i: number) => r.getByTestId('quant-table').querySelector(`tr[data-variant="${v}"]`)!.querySelectorAll('td')[i]!.textContent!;
    // bits / weight of the format, and of the whole file (norms F32, embedding F16 for NF4 / int4)
    expect(cell('q8_0', 2)).toBe('8.500');
    expect(cell('q4_0', 2)).toBe('4.500');
    expect(cell('q4_0-awq', 2)).toBe('4.500');
    expect(cell('nf4', 2)).toBe('4.131');
    expect(cell('int4-rtn', 2)).toBe('4.625');
    expect(parseFloat(cell('q4_0', 3))).toBeCloseTo(4.55, 2);
    expect(parseFloat(cell('int4-rtn', 3))).toBeGreaterThan(7);
    expect(Math.abs(parseFloat(cell('q8_0', 5)))).toBeLessThan(1); // Q8_0 within 1 % of F32's perplexity
    // GGUF: a save button for each type GGUF holds, the nearest type named for the others
    expect(r.getByTestId('size-chart').querySelectorAll('circle').length).toBe(8);
    expect(r.getByTestId('nearest').textContent).toMatch(/NF4.*IQ4_NL.*int4 RTN g32.*Q4_1/);
    expect([...r.getByTestId('gguf').querySelectorAll('button')].map((b) => b.dataset.variant)).toEqual(['f32', 'f16', 'q8_0', 'q4_0', 'q4_0-awq']);
    const blobs: Blob[] = [];
    const spy = vi.spyOn(URL, 'createObjectURL').mockImplementation((b) => (blobs.push(b as Blob), 'blob:fake'));
    const clickSpy = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    try {
      await fireEvent.click(r.getByTestId('gguf').querySelector('button[data-variant="q4_0"]')!);
      await until(() => blobs.length > 0, T, 'GGUF file');
      const head = new Uint8Array(await blobs[0].arrayBuffer());
      expect(new TextDecoder().decode(head.subarray(0, 4))).toBe('GGUF');
      expect(head.length).toBeGreaterThan(200_000); // Q4_0 of a 0.4 M-parameter model
    } finally {
      spy.mockRestore();
      clickSpy.mockRestore();
    }
    expect(host.completed).toEqual([]);
    await fireEvent.click(r.getByRole('button', { name: 'Quantize and measure' }));
    await until(() => host.completed.length > 0, T, '3.1.a');
    expect(host.completed[0]!.taskId).toBe('3.1.a');
    r.unmount();
  }, 300_000);
});

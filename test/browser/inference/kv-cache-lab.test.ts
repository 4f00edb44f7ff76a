/** The KV-cache lab in its worker: live timings, identical tokens, real buffers vs formula; a run ticks 3.1.b. */
import { describe, expect, it } from 'vitest';
import { render, fireEvent } from '@testing-library/svelte';
import { fakeHost, until } from '../lessons/lab-host';
import { reactive } from '../lessons/reactive.svelte';
import meta from '../../../src/labs/kv-cache/meta';

const T = 60_000;

describe('kv-cache lab', () => {
  it('defaults: identical tokens, 768 B/token from formula and buffers, 3× for MHA; the learner’s run ticks 3.1.b', async () => {
    const host = fakeHost();
    const state = reactive({ ...meta.defaults(), maxTokens: 60 });
    const { default: C } = await meta.component();
    const r = render(C, { props: { state, ctx: host.ctx } });
    await until(() => host.status() === 'ready', T, 'ready');
    expect(r.getByTestId('kv-identical').textContent).toMatch(/identical tokens/);
    const mem = r.getByTestId('kv-memory').textContent!;
    expect(mem).toContain('2 · 3 · 1 · 32 · 4 = 768 B');
    expect(mem).toContain('2304 B');
    expect(r.container.textContent).toContain('3×');
    // Llama 3.1 8B at 4096 tokens, f16: 128 KiB × 4096 = 512 MiB
    expect(r.getByTestId('kv-models').textContent).toContain('512 MiB');
    expect(host.completed).toEqual([]); // the automatic first run does not tick the task
    await fireEvent.click(r.getByRole('button', { name: /Decode with and without/ }));
    await until(() => host.completed.length > 0, T, '3.1.b');
    expect(host.completed[0]!.taskId).toBe('3.1.b');
    r.unmount();
  });
});

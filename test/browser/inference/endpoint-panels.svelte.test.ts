/**
 * The serving lab's endpoint panels in real Chromium (no service worker controls vitest's page, so
 * they use the in-page path to the same serving worker): concurrent requests batch and give the
 * same replies; LangChain's ChatOpenAI invokes and streams.
 */
import { describe, expect, it } from 'vitest';
import { fireEvent, render } from '@testing-library/svelte';
import { until } from '../lessons/lab-host';
import ConcurrencyPanel from '../../../src/labs/serving/ConcurrencyPanel.svelte';
import LangChainPanel from '../../../src/labs/serving/LangChainPanel.svelte';
import { ENDPOINT_DEFAULTS } from '../../../src/labs/serving/meta';

const T = 120_000;

describe('serving lab: endpoint panels', () => {
  it('fires N requests one at a time and all at once: identical replies, bigger batches, fewer steps', async () => {
    // The workload is the lab's state, a reactive object the panel binds to.
    const workload = $state({ ...ENDPOINT_DEFAULTS });
    const r = render(ConcurrencyPanel, { props: { workload } });
    await fireEvent.input(r.getByRole('spinbutton', { name: 'N' }), { target: { value: '4' } });
    await fireEvent.input(r.getByRole('spinbutton', { name: 'max tokens' }), { target: { value: '24' } });
    await fireEvent.click(r.getByRole('button', { name: /Fire 4 requests/ }));
    await until(() => !!r.queryByTestId('concurrency-summary'), T, 'summary');
    expect(r.getByTestId('concurrency-summary').textContent).toMatch(/every reply is identical/);
    const row = (mode: string) => [...r.getByTestId('concurrency-table').querySelectorAll(`tr[data-mode="${mode}"] td`)].map((td) => td.textContent!.trim());
    const one = row('one at a time'), all = row('concurrent');
    expect(one[2]).toBe(all[2]); // same tokens
    expect(Number(all[5])).toBeLessThan(Number(one[5])); // fewer engine steps
    expect(Number(one[6])).toBe(1); // mean batch alone
    expect(Number(all[6])).toBeGreaterThan(2);
    expect(workload).toEqual({ kind: 'story', n: 4, maxTokens: 24 }); // what the learner typed is the lab's (shared) state
    r.unmount();
  }, T);

  it("LangChain's ChatOpenAI: invoke and stream answer from the context", async () => {
    const r = render(LangChainPanel);
    expect(r.getByTestId('endpoint-langchain').textContent).toContain("configuration: { baseURL: '");
    await fireEvent.click(r.getByRole('button', { name: 'Run it' }));
    await until(() => !!r.queryByTestId('langchain-stream') && !r.queryByText('running…'), T, 'stream');
    expect(r.getByTestId('langchain-invoke').textContent).toMatch(/→ baker/);
    expect(r.getByTestId('langchain-stream').textContent).toMatch(/\d+ chunks/);
    r.unmount();
  }, T);
});

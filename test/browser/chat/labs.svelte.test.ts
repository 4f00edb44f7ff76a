import { describe, expect, it } from 'vitest';
import { render, fireEvent, waitFor } from '@testing-library/svelte';
import PromptingLab from '../../../src/labs/prompting/PromptingLab.svelte';
import StructuredOutputLab from '../../../src/labs/structured-output/StructuredOutputLab.svelte';
import prompting from '../../../src/labs/prompting/meta';
import structured from '../../../src/labs/structured-output/meta';
import type { LabContext } from '../../../src/labs/types';
import { createTestLabContext } from '../../../src/labs/test-context';

function fakeCtx() {
  const completed: Array<[string, Record<string, unknown> | undefined]> = [];
  const statuses: string[] = [];
  const ctx: LabContext = createTestLabContext({
    complete: async (id, ev) => void completed.push([id, ev]),
    setStatus: (s) => void statuses.push(s),
  });
  return { ctx, completed, statuses };
}

describe('lesson 1.2 labs (outside the app: deterministic test double)', () => {
  it('prompting: runs every variant with seeds, shows agreement, ticks 1.2.a and 1.2.b', async () => {
    const { ctx, completed, statuses } = fakeCtx();
    const state = $state({ ...prompting.defaults(), runs: 2 });
    const { container } = render(PromptingLab, { state, ctx });
    expect(statuses).toEqual(['ready']);
    // the preview shows the few-shot example turns, in TinyLM's own format for the default (TinyLM) task:
    // the bare tool call, and no "Answer:" instruction the small model never saw
    const preview = container.querySelector('.preview')!.textContent!;
    expect(preview).toContain('[assistant] <tool_call>{"name": "get_time"');
    expect(preview).not.toContain('Reply with only the final answer');
    // the system-prompt preset shows from the state alone (so a shared link restores it)
    expect((container.querySelector('select[aria-label="Preset for System prompt B"]') as HTMLSelectElement).value).toBe('tiny-tools');
    expect(container.querySelector('textarea[aria-label="System prompt A (all variants but B)"]')).not.toBeNull();
    await fireEvent.click(container.querySelector('[data-prompting-run]')!);
    await waitFor(() => expect(completed.map((c) => c[0])).toEqual(['1.2.a', '1.2.b']), { timeout: 10_000 });
    expect(container.querySelectorAll('[data-variant]')).toHaveLength(5);
    for (const card of container.querySelectorAll('[data-variant]')) {
      expect(card.querySelectorAll('.chip')).toHaveLength(2);
      expect(card.querySelector('[data-agreement]')!.getAttribute('data-agreement')).toBe('1');
    }
    expect(completed[0][1]).toMatchObject({ model: 'test-double', runs: 2 });
    expect(state.model).toBe('test-double');
  });

  it('prompting: no variant chosen explains itself and ticks nothing', async () => {
    const { ctx, completed } = fakeCtx();
    const state = $state({ ...prompting.defaults(), variants: [] as never[] });
    const { container } = render(PromptingLab, { state, ctx });
    expect((container.querySelector('[data-prompting-run]') as HTMLButtonElement).disabled).toBe(true);
    expect(completed).toEqual([]);
  });

  it('structured output: free decoding fails and retries; constrained decoding succeeds; ticks 1.2.c', async () => {
    const { ctx, completed } = fakeCtx();
    const state = $state({ ...structured.defaults(), runs: 2, maxAttempts: 2 });
    const { container } = render(StructuredOutputLab, { state, ctx });
    expect(container.querySelector('[data-structured-type]')!.textContent).toContain('age: number;');
    await fireEvent.click(container.querySelector('[data-structured-run]')!);
    await waitFor(() => expect(completed).toHaveLength(1), { timeout: 10_000 });
    // the double echoes the prompt ("You said: …"): never JSON, so every run uses both attempts and fails
    expect(container.querySelector('[data-structured-summary]')!.getAttribute('data-success-rate')).toBe('0');
    expect(container.querySelectorAll('[data-structured-runs] .stage.parse')).toHaveLength(4);
    expect(completed[0]).toEqual(['1.2.c', expect.objectContaining({ successRate: 0, constrained: false, runs: 2 })]);

    state.constrained = true;
    await waitFor(() => expect((container.querySelector('[data-structured-run]') as HTMLButtonElement | null)?.disabled).toBe(false));
    await fireEvent.click(container.querySelector('[data-structured-run]')!);
    await waitFor(() => expect(completed).toHaveLength(2), { timeout: 10_000 });
    expect(container.querySelector('[data-structured-summary]')?.getAttribute('data-success-rate')).toBe('1');
    expect(completed[1][1]).toMatchObject({ successRate: 1, firstTryRate: 1, constrained: true });
    expect(container.querySelector('table.history')!.textContent).toContain('constrained');
  });

  it('structured output: an invalid schema is explained and cannot be run', async () => {
    const { ctx } = fakeCtx();
    const state = $state({ ...structured.defaults(), schemaText: '{"type": "object", "properties": {"age": {"type": "int"}}}' });
    const { container } = render(StructuredOutputLab, { state, ctx });
    expect(container.textContent).toContain('"int" is not a JSON Schema type');
    expect((container.querySelector('[data-structured-run]') as HTMLButtonElement).disabled).toBe(true);
  });
});

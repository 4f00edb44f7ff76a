/**
 * Any lab can be mounted without the app, with createTestLabContext(): here the RAG pipeline lab
 * (storage: a fresh IndexedDB; engine: the test double, so the extractive answer only) and the
 * prompting lab with a spy engine, which the lab's own useEngineSource() receives too.
 */
import { render, fireEvent } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import RagPipelineLab from '../../../src/labs/rag-pipeline/RagPipelineLab.svelte';
import ragPipeline from '../../../src/labs/rag-pipeline/meta';
import PromptingLab from '../../../src/labs/prompting/PromptingLab.svelte';
import prompting from '../../../src/labs/prompting/meta';
import { createTestLabContext, labTestContext } from '../../../src/labs/test-context';
import { createTestEngineSource, type EngineSource } from '../../../src/ui/chat/engine-access';
import { until } from './lab-host';

describe('createTestLabContext', () => {
  it('mounts the RAG pipeline lab with test storage and engine; it answers and ticks 1.4.d', async () => {
    const ctx = createTestLabContext();
    const state = $state(ragPipeline.defaults());
    const r = render(RagPipelineLab, { props: { state, ctx }, context: labTestContext(ctx) });
    await until(() => ctx.status === 'ready' || ctx.status === 'error', 30_000, 'first answer');
    expect(ctx.errors).toEqual([]);
    expect(ctx.status).toBe('ready');
    expect(r.container.querySelector('[data-answer="extractive"]')).not.toBeNull();
    await fireEvent.submit(r.container.querySelector('form')!);
    await until(() => ctx.completed.length > 0, 20_000, '1.4.d');
    expect(ctx.completed[0]).toMatchObject({ taskId: '1.4.d', evidence: { model: 'extractive' } });
    // The lab's collections live in the test database the context opened for it.
    expect(ctx.storage.db.name).toMatch(/^lab-test-/);
  });

  it("gives the lab's useEngineSource() the context's engine (a spy here)", async () => {
    const base = createTestEngineSource();
    let gets = 0;
    const engine: EngineSource = { ...base, get: () => (gets++, base.get()) };
    const ctx = createTestLabContext({ engine });
    const state = $state({ ...prompting.defaults(), runs: 1 });
    const r = render(PromptingLab, { props: { state, ctx }, context: labTestContext(ctx) });
    await fireEvent.click(r.container.querySelector('[data-prompting-run]')!);
    await until(() => ctx.completed.length > 0, 20_000, 'prompting run');
    expect(gets).toBeGreaterThan(0);
    expect(ctx.completed.map((c) => c.taskId)).toContain('1.2.a');
  });
});

import { describe, expect, it } from 'vitest';
import { render } from '@testing-library/svelte';
import * as v from 'valibot';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import HostHarness from './HostHarness.svelte';
import { switchableEngine } from './switchable-engine.svelte';
import { defineLab, type LabDefinition } from '../../../src/labs/types';
import { openLabDB } from '../../../src/lib/storage/db';

const until = async <T>(f: () => T | null | undefined, ms = 5000): Promise<T> => {
  const t0 = performance.now();
  for (;;) {
    const x = f();
    if (x) return x;
    if (performance.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const def = defineLab<{ n: number; crash?: boolean }>({
  id: 'fake',
  topic: '1.1',
  title: 'Fake',
  summary: 'A lab for tests',
  tasks: ['1.1.a'],
  schema: v.object({ n: v.number(), crash: v.optional(v.boolean()) }),
  defaults: () => ({ n: 0 }),
  component: () => import('./FakeLab.svelte'),
}) as unknown as LabDefinition;

describe('LabHost', () => {
  it('exposes data-lab/data-status, passes mutable state, and completes tasks with evidence', async () => {
    const db = openLabDB('labhost-1', { indexedDB: new IDBFactory(), IDBKeyRange });
    const r = render(HostHarness, { def, labState: { n: 1 }, db });
    const root = await until(() => r.container.querySelector('[data-lab="fake"][data-status="ready"]'));
    expect(root.getAttribute('aria-labelledby')).toBe('lab-fake-title');
    (await until(() => r.getByTestId('inc'))).click();
    await until(() => r.getByTestId('state').textContent === '{"n":2}');
    const box = r.container.querySelector('[data-task="1.1.a"]')!;
    expect(box.getAttribute('aria-checked')).toBe('false');
    r.getByTestId('done').click();
    await until(() => box.getAttribute('aria-checked') === 'true');
    const row = await db.progress.get('1.1.a');
    expect(row).toMatchObject({ done: true, source: 'fake', evidence: { n: 2 } });
    // The learner is told where they are, in a live region (the checkbox may be far up the page).
    const toast = await until(() => r.container.querySelector('[role="status"][aria-live="polite"] [data-notice="success"]'));
    expect(toast.textContent).toContain('1.1.a');
    expect(toast.textContent).toMatch(/ticked: “/);
    db.close();
  });

  it("says which model the lab uses, and what changed when the global model changes; ctx.engine is useEngineSource()", async () => {
    const db = openLabDB('labhost-3', { indexedDB: new IDBFactory(), IDBKeyRange });
    const engine = switchableEngine();
    const r = render(HostHarness, { def, labState: { n: 0 }, db, engine });
    await until(() => r.container.querySelector('[data-lab="fake"][data-status="ready"]'));
    expect(r.container.querySelector('[data-host-model]')).toBeNull(); // not before the lab uses a model
    r.getByTestId('model').click();
    const line = await until(() => r.container.querySelector('[data-host-model]'));
    expect(line.textContent).toContain('Test double');
    expect(r.getByTestId('same-source').textContent).toBe('true');
    engine.switchTo('tinylm-chat', 'TinyLM chat');
    const notice = await until(() => r.container.querySelector('[data-notice="info"]'));
    expect(notice.textContent).toMatch(/changed to TinyLM chat: .*came from Test double/);
    await until(() => line.textContent?.includes('TinyLM chat'));
    r.getByTestId('notify').click();
    expect((await until(() => r.container.querySelector('[data-notice="warn"]'))).textContent).toContain('Something to know');
    db.close();
  });

  it('a crashing lab shows an error status and a restart button, not a broken page', async () => {
    const db = openLabDB('labhost-2', { indexedDB: new IDBFactory(), IDBKeyRange });
    const r = render(HostHarness, { def, labState: { n: 0, crash: true }, db });
    await until(() => r.container.querySelector('[data-lab="fake"][data-status="error"]'));
    expect(r.container.textContent).toContain('lab exploded');
    // Shown through ErrorNotice: message, then the next step.
    expect(r.container.querySelector('[data-lab-error] [role="alert"]')!.textContent).toMatch(/Restart the lab/);
    expect(r.getByText('Restart the lab')).toBeTruthy();
    db.close();
  });
});

import { describe, expect, it } from 'vitest';
import { render } from '@testing-library/svelte';
import * as v from 'valibot';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import HostHarness from './HostHarness.svelte';
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
    db.close();
  });

  it('a crashing lab shows an error status and a restart button, not a broken page', async () => {
    const db = openLabDB('labhost-2', { indexedDB: new IDBFactory(), IDBKeyRange });
    const r = render(HostHarness, { def, labState: { n: 0, crash: true }, db });
    await until(() => r.container.querySelector('[data-lab="fake"][data-status="error"]'));
    expect(r.container.textContent).toContain('lab exploded');
    expect(r.getByText('Restart the lab')).toBeTruthy();
    db.close();
  });
});

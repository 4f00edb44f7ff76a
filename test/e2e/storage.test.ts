/** The Storage page as a learner uses it: hostile backups change nothing; a real one asks before replacing. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openApp } from './harness';
import type { Page } from 'playwright-core';

afterAll(async () => {
  await closeBrowser();
});

const backup = (tables: unknown, schemaVersion = 3) => Buffer.from(JSON.stringify({ format: 'llm-lab-backup', schemaVersion, exportedAt: '2026-01-01T00:00:00.000Z', tables }));

/** Puts rows straight into the app's IndexedDB (as the app would have written them). */
async function seed(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('llm-lab');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(['progress', 'labStates', 'documents'], 'readwrite');
          tx.objectStore('progress').put({ taskId: '1.0.a', done: true, source: 'manual', updatedAt: Date.now() });
          tx.objectStore('labStates').put({ labId: 'sampling', state: { temperature: 0.3 }, updatedAt: 1 });
          for (const id of ['d1', 'd2', 'd3']) tx.objectStore('documents').put({ id, collectionId: 'c', name: `${id}.txt`, mime: 'text/plain', hash: id, size: 1, text: 'x', createdAt: 1 });
          tx.oncomplete = () => (db.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

const count = (page: Page, table: string) => page.locator(`[data-count="${table}"]`).textContent();

async function choose(page: Page, name: string, buffer: Buffer): Promise<void> {
  await page.locator('[data-import]').setInputFiles([{ name, mimeType: 'application/json', buffer }]);
}

describe('Storage page import', () => {
  it('hostile backups show a clear message and change nothing; a partial backup asks first and touches only its tables', async () => {
    const { page, errors, close } = await openApp('#/');
    await page.waitForSelector('[data-topic]');
    await seed(page);
    await page.goto(page.url().replace(/#.*$/, '#/storage'));
    await expect.poll(() => count(page, 'documents')).toBe('3');

    for (const [name, body, re] of [
      ['empty.json', backup({}), /no tables/],
      ['list.json', backup([]), /no tables/],
      ['remote.json', backup({ settings: [{ key: 'models.remote', value: { baseUrl: 5 } }] }), /settings.*models\.remote/],
      ['deep.json', Buffer.from(`{"format":"llm-lab-backup","schemaVersion":3,"tables":{"labStates":[{"labId":"x","updatedAt":1,"state":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}]}}`), /nested more than/],
    ] as const) {
      await choose(page, name, body);
      const err = page.locator('[data-error]');
      await expect.poll(() => err.textContent(), { timeout: 20_000 }).toMatch(re);
      expect(await err.textContent()).not.toMatch(/DataError|call stack|IndexedDB/);
      expect(await page.locator('[data-import-plan]').count()).toBe(0);
    }
    expect(await count(page, 'documents')).toBe('3');
    expect(await count(page, 'progress')).toBe('1');

    // only progress in the file: the plan names it, keeps the rest; Cancel changes nothing
    const onlyProgress = backup({ progress: [{ taskId: '2.1.a', done: true, source: 'manual', updatedAt: 5 }] });
    await choose(page, 'progress.json', onlyProgress);
    const plan = page.locator('[data-import-plan]');
    await plan.waitFor({ timeout: 20_000 });
    expect(await plan.locator('[data-plan-row]').count()).toBe(1);
    expect(await plan.locator('[data-plan-row="progress"] [data-existing]').textContent()).toBe('1');
    expect(await plan.locator('[data-plan-row="progress"] [data-incoming]').textContent()).toBe('1');
    expect(await plan.textContent()).toMatch(/changed after this backup/);
    await page.click('[data-cancel-import]');
    await expect.poll(() => page.locator('[data-message]').textContent()).toMatch(/nothing was changed/);
    expect(await count(page, 'progress')).toBe('1');

    // the same file again works (the input was cleared), and Replace touches only progress
    await choose(page, 'progress.json', onlyProgress);
    await plan.waitFor({ timeout: 20_000 });
    await page.click('[data-confirm-replace]');
    await expect.poll(() => page.locator('[data-message]').textContent(), { timeout: 20_000 }).toMatch(/Imported 1 record from progress\.json/);
    expect(await count(page, 'documents')).toBe('3');
    expect(await count(page, 'labStates')).toBe('1');
    expect(await count(page, 'progress')).toBe('1');

    // export, then import it back: the plan shows all 13 tables with equal counts
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export]')]);
    const path = await download.path();
    expect(path).toBeTruthy();
    await page.locator('[data-import]').setInputFiles(path!);
    await plan.waitFor({ timeout: 20_000 });
    expect(await plan.locator('[data-plan-row]').count()).toBe(13);
    expect(await plan.locator('[data-plan-row="documents"] [data-incoming]').textContent()).toBe('3');
    await page.click('[data-confirm-merge]');
    await expect.poll(() => page.locator('[data-message]').textContent(), { timeout: 20_000 }).toMatch(/Imported 5 records/);
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    await close();
  });
});

/**
 * Lesson 2.2 in the built app: the fine-tuning lab opens from a share link with its settings,
 * reaches ready (chat model loaded and scored), a short LoRA run ticks 2.2.b and saves its adapter
 * in IndexedDB, and the adapter is still listed after a reload, offered in the Chat page's model picker,
 * and comes back from a backup (export, delete, import) scoring as before.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, getBrowser, openApp } from './harness';
import { encodeShare } from '../../src/lib/share/codec';
import { lessonHash } from '../../src/lib/share/url';

afterAll(async () => {
  await closeBrowser();
});

const ready = '[data-lab="finetune"][data-status="ready"]';
const ignorable = (e: string) => /favicon|404|Failed to load resource/.test(e);

describe('lesson 2.2: fine-tuning', () => {
  it('a short shared LoRA run ticks 2.2.b; its adapter survives a reload and a backup round trip', async () => {
    const share = encodeShare({ finetune: { method: 'lora', r: 2, alpha: 4, targets: ['q', 'v'], rslora: false, dropout: 0, steps: 5 } });
    const context = await (await getBrowser()).newContext();
    const { page, errors } = await openApp(lessonHash('2.2', { share }), { context });
    await page.waitForSelector(ready, { timeout: 90_000 });
    const lab = page.locator(ready);
    expect(await lab.locator('select').first().inputValue()).toBe('2');
    expect(await lab.getByTestId('before').textContent()).toMatch(/0 %/);
    await lab.getByRole('button', { name: 'Fine-tune (LoRA)' }).click();
    await page.waitForSelector('[data-task="2.2.b"][aria-checked="true"]', { timeout: 120_000 });
    await lab.getByTestId('results').waitFor();
    await page.reload();
    await page.waitForSelector(ready, { timeout: 90_000 });
    await page.locator(ready).getByText(/Adapters saved in this browser \(1\)/).click();
    expect(await page.locator(ready).getByTestId('saved').locator('li').count()).toBe(1);
    await page.locator(ready).getByRole('button', { name: 'Load and score' }).click();
    const scored = (await page.locator(ready).getByTestId('imported').textContent({ timeout: 60_000 }))!;
    // …and is offered as a model (chat model + adapter) in the Chat page's model picker
    await page.goto(page.url().replace(/#.*$/, '#/chat'));
    await page.locator('option', { hasText: 'TinyLM chat + LoRA adapter' }).first().waitFor({ state: 'attached', timeout: 60_000 });

    // backup round trip: export everything, delete the adapter, import the backup, score it again
    const labUrl = page.url().replace(/#.*$/, lessonHash('2.2'));
    await page.goto(page.url().replace(/#.*$/, '#/storage'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export]')]);
    const backupPath = await download.path();
    expect(backupPath).toBeTruthy();
    await page.goto(labUrl);
    await page.waitForSelector(ready, { timeout: 90_000 });
    await page.locator(ready).getByText(/Adapters saved in this browser \(1\)/).click();
    await page.locator(ready).getByTestId('saved').getByRole('button', { name: 'Delete' }).click();
    await page.locator(ready).getByText(/Adapters saved in this browser \(0\)/).waitFor();
    await page.goto(page.url().replace(/#.*$/, '#/storage'));
    await page.locator('[data-import]').setInputFiles(backupPath!);
    await page.locator('[data-import-plan]').waitFor({ timeout: 20_000 });
    await page.click('[data-confirm-merge]');
    await expect.poll(() => page.locator('[data-message]').textContent(), { timeout: 20_000 }).toMatch(/Imported/);
    expect(await page.locator('[data-count="modelBlobs"]').textContent()).toBe('1');
    await page.goto(labUrl);
    await page.waitForSelector(ready, { timeout: 90_000 });
    await page.locator(ready).getByText(/Adapters saved in this browser \(1\)/).click();
    await page.locator(ready).getByRole('button', { name: 'Load and score' }).click();
    expect(await page.locator(ready).getByTestId('imported').textContent({ timeout: 60_000 })).toBe(scored);
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await context.close();
  }, 300_000);

  it('the curation lab cleans the shipped sample, rejects a file with no usable rows and keeps its data; changing the pipeline ticks 2.2.d', async () => {
    const { page, errors, close } = await openApp(lessonHash('2.2'));
    const sel = '[data-lab="sft-curation"][data-status="ready"]';
    await page.waitForSelector(sel, { timeout: 60_000 });
    const lab = page.locator(sel);
    const summary = lab.getByTestId('summary');
    expect(await summary.textContent()).toMatch(/unreadable lines\s*4/);
    expect(await summary.textContent()).toMatch(/exact duplicates\s*54/);
    expect(await lab.getByTestId('mask').locator('span.loss').count()).toBeGreaterThan(3);
    // a file with no usable rows: its bad lines with their numbers, a next step, and the data in use kept
    await lab.locator('input[type=file]').setInputFiles([{ name: 'mine.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from('{broken\n{"messages": [{"role": "user", "content": "x"}]}\n') }]);
    await lab.getByTestId('rejected').waitFor();
    expect(await lab.locator('[role=alert]').first().textContent()).toMatch(/mine\.jsonl has no usable rows.*unchanged.*needs "messages"/s);
    expect(await lab.getByTestId('rejected').textContent()).toMatch(/line 1: not valid JSON.*line 2: the last message is not the assistant/s);
    expect(await summary.textContent()).toMatch(/exact duplicates\s*54/);
    await lab.getByLabel('exact duplicates').uncheck();
    await page.waitForSelector('[data-task="2.2.d"][aria-checked="true"]', { timeout: 30_000 });
    expect(await summary.textContent()).toMatch(/exact duplicates\s*0/);
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await close();
  }, 120_000);

  it('a shared short raw-vs-curated comparison runs both in the worker, shows them side by side and ticks 2.2.d', async () => {
    const state = { pii: true, exactDedup: true, nearDedup: true, bands: 20, rows: 5, threshold: 0.7, gopher: true, minWords: 5, maxTokens: 256, valPercent: 10, compareSteps: 5 };
    const { page, errors, close } = await openApp(lessonHash('2.2', { share: encodeShare({ 'sft-curation': state }) }));
    const sel = '[data-lab="sft-curation"][data-status="ready"]';
    await page.waitForSelector(sel, { timeout: 60_000 });
    const lab = page.locator(sel);
    expect(await lab.getByLabel('steps').inputValue()).toBe('5');
    await lab.getByRole('button', { name: 'Fine-tune on both and compare' }).click();
    const table = lab.getByTestId('compare-results');
    await table.waitFor({ timeout: 240_000 });
    const text = (await table.textContent())!;
    expect(text).toMatch(/raw rows\s*231/);
    expect(text).toMatch(/curated rows\s*123/);
    expect(text).toMatch(/of 5 probes/);
    await page.waitForSelector('[data-task="2.2.d"][aria-checked="true"]', { timeout: 30_000 });
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await close();
  }, 300_000);
});

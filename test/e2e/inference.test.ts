/**
 * Lesson 3.1 in the built app: opens from a share link with the shared state restored, its four
 * labs reach data-status="ready" on the built-in TinyLM, and using the speculative lab ticks 3.1.c.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openApp } from './harness';
import { encodeShare } from '../../src/lib/share/codec';
import { lessonHash } from '../../src/lib/share/url';

afterAll(async () => {
  await closeBrowser();
});

const ready = (id: string) => `[data-lab="${id}"][data-status="ready"]`;
const ignorable = (e: string) => /favicon|404|Failed to load resource/.test(e);

describe('lesson 3.1', () => {
  it('shared speculative and KV settings restored; labs ready; changing γ ticks 3.1.c', async () => {
    const share = encodeShare({
      speculative: { format: 'story', prompt: 'One day, a little dog named Max', gamma: 3, mode: 'greedy', temperature: 1, seed: 1, maxTokens: 40 },
      'kv-cache': { prompt: 'Tom saw a big red ball.', maxTokens: 30, context: 8192, kvBytes: 2 },
      quantization: { model: 'tinylm-base', evalStories: 8 },
      serving: { requests: 5, gap: 1, maxBatch: 3, seed: 4, sharedPrefix: false },
    });
    const { page, errors, close } = await openApp(lessonHash('3.1', { share }));
    for (const id of ['speculative', 'kv-cache', 'quantization', 'serving']) await page.waitForSelector(ready(id), { timeout: 120_000 });
    const sp = page.locator(ready('speculative'));
    expect(await sp.locator('textarea').inputValue()).toBe('One day, a little dog named Max');
    expect(await sp.getByLabel('gamma').inputValue()).toBe('3');
    expect(await sp.getByTestId('identical').textContent()).toMatch(/identical/);
    const kv = page.locator(ready('kv-cache'));
    expect(await kv.getByLabel('context length').inputValue()).toBeTruthy();
    // Llama 3.1 8B at 8192 tokens, f16: 128 KiB × 8192 = 1 GiB
    expect(await kv.getByTestId('kv-models').textContent()).toContain('1.00 GiB');
    const sv = page.locator(ready('serving'));
    expect(await sv.getByLabel('requests').inputValue()).toBe('5');
    expect(await sv.getByTestId('serving-identical').textContent()).toMatch(/identical/);
    expect(await page.locator('[data-task="3.1.c"]').first().getAttribute('aria-checked')).toBe('false');
    await sp.getByLabel('gamma').fill('5');
    await page.waitForSelector('[data-task="3.1.c"][aria-checked="true"]', { timeout: 60_000 });
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await close();
  });
});

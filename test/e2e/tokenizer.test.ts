/** The tokenization lab in the built app: live tokens, lazy OpenAI encodings, training ticks 1.1.a. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openApp } from './harness';

afterAll(async () => {
  await closeBrowser();
});

describe('tokenizer lab', () => {
  it('tokenizes typed text live, trains a small BPE in the worker and ticks task 1.1.a', async () => {
    const { page, errors, close } = await openApp('#/lesson/1.1');
    const lab = page.locator('[data-lab="tokenizer"][data-status="ready"]');
    await lab.waitFor({ timeout: 60_000 });

    // Typing re-tokenizes: GPT-2 gives the known ids for "hello world".
    await lab.locator('[data-testid="tokenizer-text"]').fill('hello world');
    const gpt2 = lab.locator('[data-tokenizer="r50k"]');
    await expect.poll(() => gpt2.locator('[data-token]').evaluateAll((els) => els.map((e) => e.getAttribute('data-token'))), { timeout: 30_000 }).toEqual(['31373', '995']);
    await expect.poll(() => gpt2.locator('[data-count]').getAttribute('data-count')).toBe('2');

    // Before training, "your BPE" says so.
    await expect.poll(() => lab.locator('[data-tokenizer="trained"]').textContent()).toMatch(/Not trained yet/);
    expect(await page.locator('[data-task="1.1.a"]').first().getAttribute('aria-checked')).toBe('false');

    // Train a small vocabulary on the shipped stories.
    await lab.locator('input[type="range"]').first().fill('300');
    await lab.locator('[data-action="train"]').click();
    await lab.locator('[data-trained]').waitFor({ timeout: 60_000 });
    expect(await lab.locator('[data-trained]').textContent()).toMatch(/Learned 41 merges/);
    await expect.poll(() => lab.locator('[data-tokenizer="trained"] [data-token]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.waitForSelector('[data-task="1.1.a"][aria-checked="true"]', { timeout: 30_000 });

    expect(errors.filter((e) => !/favicon|models\/.*tokenizer\.json|404/.test(e))).toEqual([]);
    await close();
  });
});

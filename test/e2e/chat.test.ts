/**
 * The chat playground in the built app: choose the built-in TinyLM model, stream a reply, stop
 * it, reload — the conversation (with the stopped reply) is still there, from IndexedDB.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openApp } from './harness';

afterAll(async () => {
  await closeBrowser();
});

const ignorable = (e: string) => /favicon|404|Failed to load resource/.test(e);

describe('chat playground', () => {
  it('streams with the built-in model, stops, and keeps the history across a reload', async () => {
    const { page, errors, close } = await openApp('#/chat');
    await page.waitForSelector('[data-chat-page][data-ready="true"]');

    // Choose the first built-in TinyLM model in the picker.
    const option = page.locator('[data-chat-model] option[value^="tinylm-"]').first();
    await option.waitFor({ state: 'attached', timeout: 30_000 });
    const modelId = (await option.getAttribute('value'))!;
    await page.locator('[data-chat-model] select').selectOption(modelId);

    // A long reply: ban the end-of-text tokens so the model cannot stop by itself before we do.
    await page.getByRole('button', { name: /system prompt & parameters/ }).click();
    await page.getByLabel('max_tokens').fill('200');
    await page.getByLabel(/Logit bias/).fill('0: -100, 2: -100');
    await page.locator('[data-chat-input]').fill('Once upon a time');
    await page.locator('[data-chat-input]').press('Enter');

    // Streaming: text arrives in the live message; then stop it.
    // Stop as soon as 20 characters are on screen, in the same task that sees them (the worker can
    // finish 200 tokens in well under a second, faster than a separate click would arrive).
    await page.waitForFunction(
      () => {
        if ((document.querySelector('[data-streaming="true"]')?.textContent?.length ?? 0) <= 20) return false;
        document.querySelector<HTMLButtonElement>('[data-chat-stop]')?.click();
        return true;
      },
      undefined,
      { timeout: 60_000 },
    );
    const reply = page.locator('[data-role="assistant"]').last();
    await reply.locator('[data-stats]').waitFor();
    expect(await reply.textContent()).toContain('stopped');
    const replyText = (await reply.locator('.markdown, .plain').first().textContent())!.trim();
    expect(replyText.length).toBeGreaterThan(5);
    expect(await reply.locator('.who').textContent()).toBe(modelId);

    // Reload: the conversation reopens from IndexedDB with the same messages.
    await page.reload();
    await page.waitForSelector('[data-chat-page][data-ready="true"]');
    await page.waitForSelector('[data-role="assistant"] [data-stats]');
    expect(await page.locator('[data-role="user"]').first().textContent()).toContain('Once upon a time');
    const after = page.locator('[data-role="assistant"]').last();
    expect((await after.locator('.markdown, .plain').first().textContent())!.trim()).toBe(replyText);
    expect(await after.textContent()).toContain('stopped');
    expect(await page.locator('[data-chat-saved]').first().textContent()).toContain('Once upon a time');
    // The model choice persisted too.
    expect(await page.locator('[data-chat-model] select').inputValue()).toBe(modelId);
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await close();
  });
});

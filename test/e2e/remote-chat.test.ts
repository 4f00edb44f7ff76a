/**
 * The Models page's remote endpoint pointed at a local OpenAI-compatible server (the test server
 * speaks the real wire format: SSE chunks, usage in the last chunk, Bearer auth), then a chat on
 * the Chat page streams its reply: the happy path the other remote tests (CORS, auth, a server
 * that hangs or answers HTML) leave out.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../unit/engine/remote-server';
import { baseUrl, closeBrowser, getBrowser, openApp } from './harness';

afterAll(async () => {
  await closeBrowser();
});

describe('remote endpoint: a working OpenAI-compatible server', () => {
  it('is listed, saved, used by the Chat page, and the streamed reply arrives with its usage', async () => {
    const server = await startTestServer({ cors: true, apiKey: 'sk-local', usage: true, delayMs: 30, tokens: ['Paris', ' is', ' the', ' capital', '.'] });
    const { page, errors, close } = await openApp('#/models');
    try {
      await page.getByLabel('Base URL').fill(server.baseUrl);
      await page.getByLabel('API key (optional)').fill('sk-local');
      await page.getByRole('button', { name: 'Test & list models' }).click();
      await page.getByText('Connected: 2 models available.').waitFor();
      await page.getByRole('button', { name: 'Save & use' }).click();
      await page.waitForSelector('[data-current-model="remote:tiny-chat"]');

      await page.goto(page.url().replace(/#.*$/, '#/chat'));
      await page.waitForSelector('[data-chat-page][data-ready="true"]');
      await page.locator('[data-chat-input]').fill('What is the capital of France?');
      await page.locator('[data-chat-input]').press('Enter');
      const reply = page.locator('[data-role="assistant"]').last();
      await reply.locator('[data-stats]').waitFor({ timeout: 30_000 });
      expect(await reply.textContent()).toContain('Paris is the capital.');
      expect(await reply.locator('.notice.error').count()).toBe(0);
      // the server's usage (5 completion tokens, a prompt count) reached the stats line
      expect(await reply.locator('[data-stats]').textContent()).toMatch(/^5 tokens · prompt \d+/);

      const chat = server.requests.filter((r) => r.path === '/v1/chat/completions');
      expect(chat).toHaveLength(1);
      expect(chat[0]!.headers.authorization).toBe('Bearer sk-local');
      expect(chat[0]!.body).toMatchObject({ model: 'tiny-chat', stream: true });
      const messages = chat[0]!.body!.messages as Array<{ role: string; content: string }>;
      expect(messages.at(-1)).toEqual({ role: 'user', content: 'What is the capital of France?' });
      expect(errors.filter((e) => e.startsWith('pageerror')), errors.join('\n')).toEqual([]);
    } finally {
      await close();
      await server.close();
    }
  }, 90_000);

  it("works against the app's own OpenAI-compatible endpoint (the service worker's /v1, TinyLM behind it)", async () => {
    const browser = await getBrowser();
    const context = await browser.newContext();
    const { page, errors, close } = await openApp('#/models', { context });
    try {
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      await page.reload();
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
      await page.getByLabel('Base URL').fill(new URL('v1', baseUrl().replace(/[^/]*$/, '')).href);
      await page.getByRole('button', { name: 'Test & list models' }).click();
      await page.getByText(/Connected: \d+ models available\./).waitFor({ timeout: 30_000 });
      await page.getByLabel('Model', { exact: true }).fill('tinylm-chat');
      await page.getByRole('button', { name: 'Save & use' }).click();
      await page.waitForSelector('[data-current-model="remote:tinylm-chat"]');
      await page.goto(page.url().replace(/#.*$/, '#/chat'));
      await page.waitForSelector('[data-chat-page][data-ready="true"]');
      await page.locator('[data-chat-input]').fill('Context: Tom has a red ball. Question: What color is the ball?');
      await page.locator('[data-chat-input]').press('Enter');
      const reply = page.locator('[data-role="assistant"]').last();
      await reply.locator('[data-stats]').waitFor({ timeout: 60_000 });
      expect(await reply.locator('.notice.error').count()).toBe(0);
      expect(await reply.locator('[data-stats]').textContent()).toMatch(/^\d+ tokens? · prompt \d+/);
      expect(errors.filter((e) => e.startsWith('pageerror')), errors.join('\n')).toEqual([]);
    } finally {
      await close();
      await context.close();
    }
  }, 120_000);
});

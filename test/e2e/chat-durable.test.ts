/**
 * The chat page as a learner meets it (built app, real Chromium): a 20-turn chat with TinyLM that
 * stays inside its 256-token window, the tool-calling preset, a reload in the middle of a reply,
 * and remote servers that never answer or answer with an HTML page.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestServer } from '../unit/engine/remote-server';
import { closeBrowser, openApp } from './harness';

afterAll(async () => {
  await closeBrowser();
});

const ignorable = (e: string) => /favicon|404|Failed to load resource/.test(e);

async function chooseTinyChat(page: Page) {
  await page.waitForSelector('[data-chat-page][data-ready="true"]');
  const option = page.locator('[data-chat-model] option[value="tinylm-chat"]');
  await option.waitFor({ state: 'attached', timeout: 30_000 });
  await page.locator('[data-chat-model] select').selectOption('tinylm-chat');
}

async function send(page: Page, text: string) {
  await page.locator('[data-chat-input]').fill(text);
  await page.locator('[data-chat-input]').press('Enter');
}

describe('chat page with TinyLM', () => {
  it('20 short turns stay inside the 256-token window, with a meter and a mark where older turns were left out', async () => {
    const { page, errors, close } = await openApp('#/chat');
    await chooseTinyChat(page);
    const questions = ['Hi!', 'How are you?', 'What can you do?', 'Who are you?', 'Thank you!'];
    for (let i = 0; i < 20; i++) {
      await send(page, questions[i % questions.length]);
      await page.locator('[data-role="assistant"] [data-stats]').nth(i).waitFor({ timeout: 60_000 });
      const used = Number(await page.getAttribute('[data-context-meter]', 'data-used'));
      expect(used).toBeLessThanOrEqual(256);
    }
    expect(await page.locator('[data-role="assistant"] .notice.error').count()).toBe(0);
    expect(await page.getAttribute('[data-context-meter]', 'data-window')).toBe('256');
    expect(await page.textContent('[data-window-cut]')).toMatch(/older messages above no longer fit in the 256-token context window/);
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await close();
  }, 240_000);

  it('the tool preset makes "What is the weather in Paris?" an exact tool call', async () => {
    const { page, close } = await openApp('#/chat');
    await chooseTinyChat(page);
    await page.locator('[data-preset="tools"]').click();
    expect(await page.locator('[data-chat-input]').inputValue()).toBe('What is the weather in Paris?');
    await page.locator('[data-chat-input]').press('Enter');
    const call = page.locator('[data-role="assistant"] [data-tool-call]');
    await call.waitFor({ timeout: 60_000 });
    expect(await call.getAttribute('data-tool-call')).toBe('get_weather');
    expect(await call.locator('code').first().textContent()).toBe('get_weather({"city":"Paris"})');
    // the system prompt is the one it was trained on, visible in the panel
    await page.getByRole('button', { name: /system prompt & parameters/ }).click();
    expect(await page.locator('[data-chat-system]').inputValue()).toMatch(/^You can call these tools:\n- get_weather\(city: string\)/);
    await close();
  }, 120_000);

  it('a reload in the middle of a reply keeps the question and what had streamed', async () => {
    const { page, errors, close } = await openApp('#/chat');
    await chooseTinyChat(page);
    await page.getByRole('button', { name: /system prompt & parameters/ }).click();
    await page.getByLabel(/Logit bias/).fill('0: -100, 1: -100, 2: -100');
    await send(page, 'Tell me a short story about Ana.');
    // Measure what is on screen and reload in the next task, as soon as 30 characters are there
    // (polling in the page: the worker can finish the reply faster than a round trip from here).
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    const before = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const tick = () => {
            const msg = document.querySelector('[data-streaming="true"]') ?? document.querySelector('[data-role="assistant"]');
            const text = [...(msg?.querySelectorAll('.markdown, .plain') ?? [])].map((e) => e.textContent).join(' ').replace(/▍/g, '').replace(/\s+/g, ' ').trim();
            if (text.length <= 30) return void setTimeout(tick, 4);
            resolve(text);
            setTimeout(() => location.reload(), 0);
          };
          tick();
        }),
    );
    await reloaded;
    await page.waitForSelector('[data-chat-page][data-ready="true"]');
    await page.locator('[data-role="user"]').first().waitFor();
    expect(await page.locator('[data-role="user"]').first().textContent()).toContain('Tell me a short story about Ana.');
    const reply = page.locator('[data-role="assistant"]');
    await reply.waitFor();
    const kept = (await reply.locator('.markdown, .plain').allTextContents()).join(' ').replace(/\s+/g, ' ').trim();
    // everything on screen just before the reload is still there (saved while streaming, and
    // put in localStorage synchronously on pagehide)
    expect(before.length).toBeGreaterThan(20);
    expect(kept.startsWith(before), `before: ${before}\nkept: ${kept}`).toBe(true);
    // it says it was interrupted (or, when the old page lived long enough to finish it, its stats)
    await reply.locator('[data-interrupted], [data-stats]').first().waitFor();
    // the page is usable: send again
    await send(page, 'Hi!');
    await page.locator('[data-role="assistant"] [data-stats]').last().waitFor({ timeout: 60_000 });
    expect(errors.filter((e) => e.startsWith('pageerror')), errors.join('\n')).toEqual([]);
    await close();
  }, 120_000);
});

describe('chat page with a remote server that misbehaves', () => {
  it('Test & list models can be cancelled while a server never answers', async () => {
    const server = await startTestServer({ cors: true, raw: { path: '/v1/models', hang: true } });
    const { page, close } = await openApp('#/models');
    try {
      await page.getByLabel('Base URL').fill(server.baseUrl);
      await page.getByRole('button', { name: 'Test & list models' }).click();
      await page.getByRole('button', { name: 'Connecting…' }).waitFor();
      await page.locator('[data-remote-cancel]').click();
      await page.getByText('Cancelled.').waitFor();
      expect(await page.getByRole('button', { name: 'Test & list models' }).isEnabled()).toBe(true);
    } finally {
      await close();
      await server.close();
    }
  }, 60_000);

  it('an HTML page in answer to a chat request is an error that quotes it, not an empty reply', async () => {
    const html = '<!DOCTYPE html><html><body>Corporate proxy: please sign in</body></html>';
    const server = await startTestServer({ cors: true, raw: { path: '/v1/chat/completions', contentType: 'text/html', body: html } });
    const { page, close } = await openApp('#/models');
    try {
      await page.getByLabel('Base URL').fill(server.baseUrl);
      await page.getByLabel('Model', { exact: true }).fill('tiny-chat');
      await page.getByRole('button', { name: 'Save & use' }).click();
      await page.waitForSelector('[data-current-model="remote:tiny-chat"]');
      await page.goto(page.url().replace(/#.*$/, '#/chat'));
      await page.waitForSelector('[data-chat-page][data-ready="true"]');
      await send(page, 'Hello?');
      const err = page.locator('[data-role="assistant"] .notice.error');
      await err.waitFor({ timeout: 30_000 });
      expect(await err.textContent()).toMatch(/HTML page \(text\/html\).*Corporate proxy/);
    } finally {
      await close();
      await server.close();
    }
  }, 60_000);
});

/**
 * The built app's OpenAI-compatible endpoint: with the network off, the service worker answers
 * same-origin `/v1/*` by relaying to the page, which runs TinyLM (public/sw-openai.js,
 * src/app/openai-relay.ts, src/lib/inference/openai-server.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, getBrowser, openApp } from './harness';

afterAll(async () => {
  await closeBrowser();
});

describe('OpenAI-compatible endpoint in the service worker', () => {
  it('answers /v1/models, a streaming chat completion and errors offline', async () => {
    const browser = await getBrowser();
    const context = await browser.newContext();
    const { page } = await openApp('#/', { context });
    await page.waitForSelector('[data-topic="1.0"]');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('[data-topic="1.0"]');

    const models = await page.evaluate(async () => {
      const r = await fetch('./v1/models');
      return { status: r.status, body: (await r.json()) as { data: Array<{ id: string; max_model_len: number }> } };
    });
    expect(models.status).toBe(200);
    expect(models.body.data.map((m) => m.id)).toContain('tinylm-chat');
    expect(models.body.data.find((m) => m.id === 'tinylm-chat')!.max_model_len).toBe(256);

    const streamed = await page.evaluate(async () => {
      const r = await fetch('./v1/chat/completions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: 'tinylm-chat', messages: [{ role: 'user', content: 'Context: Tom has a red ball. Question: What color is the ball?' }], max_tokens: 12, temperature: 0, stream: true }),
      });
      const reader = r.body!.getReader();
      const dec = new TextDecoder();
      let text = '';
      let reads = 0;
      for (let x = await reader.read(); !x.done; x = await reader.read()) {
        text += dec.decode(x.value, { stream: true });
        reads++;
      }
      return { status: r.status, type: r.headers.get('content-type'), text, reads };
    });
    expect(streamed.status).toBe(200);
    expect(streamed.type).toBe('text/event-stream');
    const events = streamed.text.split('\n\n').filter((e) => e.trim());
    expect(events[events.length - 1]).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)) as { object: string; choices: Array<{ delta: { content?: string } }> });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    const content = chunks.flatMap((c) => c.choices.map((x) => x.delta.content ?? '')).join('');
    expect(content.length).toBeGreaterThan(0);
    expect(streamed.reads).toBeGreaterThan(1); // it arrived in pieces, not as one buffered body

    // The same request without streaming gives the same greedy text.
    const whole = await page.evaluate(async () => {
      const r = await fetch('./v1/chat/completions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: 'tinylm-chat', messages: [{ role: 'user', content: 'Context: Tom has a red ball. Question: What color is the ball?' }], max_tokens: 12, temperature: 0 }),
      });
      return (await r.json()) as { choices: Array<{ message: { content: string } }> };
    });
    expect(whole.choices[0].message.content).toBe(content);

    const bad = await page.evaluate(async () => {
      const r = await fetch('./v1/chat/completions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{nope' });
      const m = await fetch('./v1/chat/completions', { method: 'POST', body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }) });
      return [r.status, ((await r.json()) as { error: { type: string } }).error.type, m.status, ((await m.json()) as { error: { code: string } }).error.code];
    });
    expect(bad).toEqual([400, 'invalid_request_error', 404, 'model_not_found']);
    await context.close();
  }, 120_000);
  it('the serving lab\'s request panel shows the raw streamed response, in-page before the worker controls the page and through it after', async () => {
    const browser = await getBrowser();
    const context = await browser.newContext();
    const { page } = await openApp('#/lesson/3.1', { context });
    const panel = page.getByTestId('openai-endpoint');
    await panel.waitFor({ timeout: 60_000 });
    const send = async () => {
      await panel.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => panel.getByTestId('endpoint-raw').textContent(), { timeout: 60_000 }).toContain('data: [DONE]');
      return { raw: (await panel.getByTestId('endpoint-raw').textContent())!, via: (await panel.getByTestId('endpoint-via').textContent())! };
    };
    const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
    if (!controlled) {
      const first = await send();
      expect(first.via).toMatch(/In-page/);
      expect(first.raw).toMatch(/^HTTP\/1\.1 200/);
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      await page.reload();
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
      await panel.waitFor({ timeout: 60_000 });
    }
    const viaSw = await send();
    expect(viaSw.via).toMatch(/service worker/);
    expect(viaSw.raw).toMatch(/^HTTP\/1\.1 200/);
    expect(viaSw.raw).toMatch(/content-type: text\/event-stream/i);
    expect(viaSw.raw).toContain('"object":"chat.completion.chunk"');
    await context.close();
  }, 180_000);

  it('offline in the built app: concurrent requests batch with identical replies, and LangChain\'s ChatOpenAI (a lazy chunk) answers', async () => {
    const browser = await getBrowser();
    const context = await browser.newContext();
    const { page } = await openApp('#/lesson/3.1', { context });
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await context.setOffline(true);
    await page.reload();
    const conc = page.getByTestId('endpoint-concurrency');
    await conc.waitFor({ timeout: 60_000 });
    await conc.getByRole('button', { name: /Fire 8 requests/ }).click();
    await expect.poll(() => conc.getByTestId('concurrency-summary').textContent(), { timeout: 90_000 }).toMatch(/every reply is identical/);
    expect(await conc.getByTestId('concurrency-summary').textContent()).toMatch(/through the service worker/);
    const meanBatch = Number(await conc.locator('tr[data-mode="concurrent"] td').nth(6).textContent());
    expect(meanBatch).toBeGreaterThan(2);
    const lc = page.getByTestId('endpoint-langchain');
    await lc.getByRole('button', { name: 'Run it' }).click();
    await expect.poll(() => lc.getByTestId('langchain-invoke').textContent().catch(() => ''), { timeout: 60_000 }).toMatch(/→ baker/);
    await expect.poll(() => lc.getByTestId('langchain-stream').textContent().catch(() => ''), { timeout: 60_000 }).toMatch(/\d+ chunks/);
    await context.close();
  }, 180_000);
});

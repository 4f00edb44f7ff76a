/**
 * The model manager in the built app, with the test flag on: web-llm is replaced by its
 * deterministic double (same adapter, same progress texts and offline failure as web-llm), so
 * this runs without a GPU or network. Also the remote endpoint against local servers: a real
 * CORS block in a real browser, and a CORS-enabled server whose models get listed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../unit/engine/remote-server';
import { closeBrowser, getBrowser, openApp } from './harness';

const MODEL = 'SmolLM2-360M-Instruct-q4f32_1-MLC';
const OTHER = 'SmolLM2-135M-Instruct-q0f32-MLC';

afterAll(async () => {
  await closeBrowser();
});

describe('model manager', () => {
  it('downloads with progress, cancels, completes, uses a model, and serves it offline after a reload', async () => {
    const browser = await getBrowser();
    const context = await browser.newContext();
    const { page, errors } = await openApp('#/models', { context });
    await page.evaluate((flag) => localStorage.setItem(flag, '1'), 'llm-lab:test-engines');
    await page.reload();
    await page.waitForSelector('.builtins [data-model-id]');
    await page.getByLabel('Search').fill('SmolLM2');
    const card = page.locator(`[data-model-id="${MODEL}"]`);
    await card.waitFor();
    expect(await card.getAttribute('data-verdict')).not.toBe('no');
    expect(await card.getAttribute('data-cached')).toBe('none');

    // Start, watch progress in bytes, cancel.
    await card.getByRole('button', { name: 'Download' }).click();
    await card.getByText(/MiB of .* left/).waitFor();
    await card.getByRole('button', { name: 'Cancel download' }).click();
    await card.getByRole('button', { name: 'Download' }).waitFor();
    expect(await card.getAttribute('data-cached')).toBe('none');

    // Download to the end, then use it.
    await card.getByRole('button', { name: 'Download' }).click();
    await page.waitForSelector(`[data-model-id="${MODEL}"][data-cached="complete"]`, { timeout: 30_000 });
    await card.getByRole('button', { name: 'Use' }).click();
    await page.waitForSelector(`[data-current-model="${MODEL}"]`);
    await page.waitForSelector('[data-model-status="ready"]');

    // Offline: the service worker serves the app, the model loads from the cache, the choice persisted.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector(`[data-current-model="${MODEL}"]`);
    await page.getByLabel('Search').fill('SmolLM2');
    await page.waitForSelector(`[data-model-id="${MODEL}"][data-cached="complete"]`);
    await card.getByRole('button', { name: 'Use' }).click();
    await page.waitForSelector('[data-model-status="ready"]');

    // A model that was never downloaded fails offline with the not-cached explanation.
    const other = page.locator(`[data-model-id="${OTHER}"]`);
    await other.getByRole('button', { name: 'Download' }).click();
    await other.locator('.notice.error').waitFor();
    expect(await other.locator('.notice.error').textContent()).toMatch(/not \(fully\) downloaded/);

    // Delete removes it from the cache.
    page.once('dialog', (d) => void d.accept());
    await card.getByRole('button', { name: 'Delete' }).click();
    await page.waitForSelector(`[data-model-id="${MODEL}"][data-cached="none"]`);
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    await context.close();
  }, 240_000); // installing the service worker precaches the whole app (web-llm's 6 MB chunk too)

  it('explains a server that blocks this origin, then lists models from a CORS-enabled one', async () => {
    const blocked = await startTestServer();
    const open = await startTestServer({ cors: true, apiKey: 'sk-e2e' });
    const { page, close } = await openApp('#/models');
    try {
      await page.getByLabel('Base URL').fill(blocked.baseUrl);
      await page.getByRole('button', { name: 'Test & list models' }).click();
      // The app is cross-origin isolated (COEP), which hides whether the host is down or refused
      // the origin: the message says both and gives the CORS fix.
      await page.waitForSelector('[data-error-code="unreachable"]');
      expect(await page.textContent('[data-error-code="unreachable"]')).toMatch(/CORS[\s\S]*OLLAMA_ORIGINS/);

      await page.getByLabel('Base URL').fill(open.baseUrl);
      await page.getByLabel('API key (optional)').fill('wrong');
      await page.getByRole('button', { name: 'Test & list models' }).click();
      await page.waitForSelector('[data-error-code="auth"]');

      await page.getByLabel('API key (optional)').fill('sk-e2e');
      await page.getByRole('button', { name: 'Test & list models' }).click();
      await page.getByText('Connected: 2 models available.').waitFor();
      await page.getByRole('button', { name: 'Save & use' }).click();
      await page.waitForSelector('[data-current-model="remote:tiny-chat"]');
      // The key is stored in IndexedDB settings, never in the URL.
      expect(page.url()).not.toContain('sk-e2e');
      await page.reload();
      await page.waitForSelector('[data-current-model="remote:tiny-chat"]');
      expect(await page.getByLabel('API key (optional)').inputValue()).toBe('sk-e2e');
    } finally {
      await close();
      await blocked.close();
      await open.close();
    }
  });

  it('lays out every built-in card alike, and explains a missing GPU adapter in one sentence (no "..")', async () => {
    const browser = await getBrowser();
    for (const width of [1280, 390]) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      // A browser with WebGPU but no adapter (blocklisted GPU, or disabled).
      await context.addInitScript(() => {
        Object.defineProperty(navigator, 'gpu', { value: { requestAdapter: async () => null, getPreferredCanvasFormat: () => 'bgra8unorm' }, configurable: true });
      });
      const { page, close } = await openApp('#/models', { context });
      try {
        await page.waitForSelector('.builtins [data-model-id="tinylm-base"]');
        await page.getByText(/no GPU adapter is available/).waitFor();
        const device = await page.textContent('.device');
        expect(device).toMatch(/blocklisted GPU or disabled\)\. WebLLM models/);
        expect(device).not.toMatch(/\.\./);
        // Each card: its button at the card's right edge, level with the card's middle row.
        const boxes = await page.$$eval('.builtins [data-model-id]', (cards) =>
          cards.map((c) => {
            const card = c.getBoundingClientRect();
            const btn = c.querySelector('button')!.getBoundingClientRect();
            return { id: c.getAttribute('data-model-id'), rightGap: Math.round(card.right - btn.right), height: Math.round(card.height), btnTop: Math.round(btn.top - card.top) };
          }),
        );
        expect(boxes.length).toBeGreaterThanOrEqual(3);
        for (const b of boxes) expect(b, `${b.id} at ${width}px`).toMatchObject({ rightGap: boxes[0].rightGap });
        const base = boxes.find((b) => b.id === 'tinylm-base')!;
        const chat = boxes.find((b) => b.id === 'tinylm-chat')!;
        if (width === 1280) expect({ h: base.height, top: base.btnTop }).toEqual({ h: chat.height, top: chat.btnTop });
      } finally {
        await close();
        await context.close();
      }
    }
  });
});

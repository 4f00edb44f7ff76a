/** End-to-end tests of the app shell against the built app (see global-setup.ts). */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { closeBrowser, getBrowser, openApp, baseUrl } from './harness';
import type { Page } from 'playwright-core';

afterAll(async () => {
  await closeBrowser();
});

describe('curriculum and progress', () => {
  it('shows all 13 topics and 41 tasks, and progress survives a reload', async () => {
    const { page, errors, close } = await openApp('#/');
    await page.waitForSelector('[data-topic="3.5"]');
    expect(await page.locator('[data-topic]').count()).toBe(13);
    expect(await page.locator('[data-task]').count()).toBe(41);
    const box = page.locator('[data-task="1.0.a"]');
    await expect.poll(() => box.isEnabled()).toBe(true);
    await box.click();
    await expect.poll(() => box.getAttribute('aria-checked')).toBe('true');
    await page.reload();
    await page.waitForSelector('[data-task="1.0.a"][aria-checked="true"]');
    // And on the lesson page, in the same profile.
    await page.goto(baseUrl() + '#/lesson/1.0');
    await page.waitForSelector('[data-lesson="1.0"] [data-task="1.0.a"][aria-checked="true"]');
    expect(errors).toEqual([]);
    await close();
  });

  it('every topic opens as a lesson page at a stable URL', async () => {
    const { page, close } = await openApp('#/lesson/3.5');
    await page.waitForSelector('[data-lesson="3.5"]');
    expect(await page.locator('[data-lesson="3.5"] [data-task]').count()).toBe(2);
    await page.goto(baseUrl() + '#/lesson/9.9');
    await page.waitForSelector('text=No such lesson');
    await close();
  });
});

describe('share links', () => {
  it('a shared lesson opens in a fresh profile in the same state', async () => {
    const { page, close } = await openApp('#/lesson/1.1');
    // The tokenization lab's text box is part of its shareable state.
    const labId = 'tokenizer';
    const lab = page.locator(`[data-lab="${labId}"][data-status="ready"]`);
    await lab.waitFor({ timeout: 60_000 });
    const field = lab.locator('textarea').first();
    const marker = `Shared text ${Date.now()} — ünïcödé`;
    await field.fill(marker);
    await page.click('[data-share-button]');
    const link = await page.locator('[data-share-link]').inputValue();
    expect(link).toMatch(/#\/lesson\/1\.1\?s=1\./);
    await close();

    const fresh = await openApp(link.slice(link.indexOf('#')));
    const lab2 = fresh.page.locator(`[data-lab="${labId}"]`);
    await lab2.waitFor();
    await expect.poll(() => lab2.locator('textarea').first().inputValue(), { timeout: 30_000 }).toBe(marker);
    expect(await fresh.page.locator('[data-share-notice]').count()).toBe(0);
    await fresh.close();
  });

  it('a shared link never overwrites the learner’s own saved state, also when opened by a hash change in the same lesson', async () => {
    const labId = 'tokenizer';
    const text = (p: Page) => p.locator(`[data-lab="${labId}"] textarea`).first();
    /** The tokenizer lab's state as saved in IndexedDB (JSON), or '' when none. */
    const stored = (p: Page) =>
      p.evaluate(
        (id) =>
          new Promise<string>((resolve, reject) => {
            const req = indexedDB.open('llm-lab');
            req.onerror = () => reject(req.error);
            req.onsuccess = () => {
              const get = req.result.transaction('labStates').objectStore('labStates').get(id);
              get.onsuccess = () => (req.result.close(), resolve(get.result ? JSON.stringify(get.result.state) : ''));
              get.onerror = () => reject(get.error);
            };
          }),
        labId,
      );
    // someone else's link
    const other = await openApp('#/lesson/1.1');
    await other.page.locator(`[data-lab="${labId}"][data-status="ready"]`).waitFor({ timeout: 60_000 });
    await text(other.page).fill('SHARED text from a link');
    await other.page.click('[data-share-button]');
    const link = await other.page.locator('[data-share-link]').inputValue();
    await other.close();
    const hash = link.slice(link.indexOf('#'));

    // the learner's own state, saved
    const { page, errors, close } = await openApp('#/lesson/1.1');
    await page.locator(`[data-lab="${labId}"][data-status="ready"]`).waitFor({ timeout: 60_000 });
    await text(page).fill('MINE, typed by the learner');
    await expect.poll(() => stored(page), { timeout: 5000 }).toContain('MINE');

    // the link opened by a hash change within the same lesson is applied now, and not saved
    await page.evaluate((h) => (location.hash = h), hash);
    await expect.poll(() => text(page).inputValue(), { timeout: 30_000 }).toBe('SHARED text from a link');
    await page.waitForSelector('[data-shared-bar]');
    await text(page).fill('SHARED, edited');
    await page.waitForTimeout(800); // past the autosave delay
    expect(await stored(page)).toContain('MINE');

    // a reload on the link shows the shared state again; the learner's is still stored; Restore brings it back
    await page.reload();
    await expect.poll(() => text(page).inputValue(), { timeout: 30_000 }).toBe('SHARED text from a link');
    expect(await stored(page)).toContain('MINE');
    await page.click('[data-restore-mine]');
    await expect.poll(() => text(page).inputValue(), { timeout: 30_000 }).toBe('MINE, typed by the learner');
    expect(page.url()).not.toContain('?s=');
    expect(await page.locator('[data-shared-bar]').count()).toBe(0);

    // "Keep" makes the shared state the learner's own
    await page.evaluate((h) => (location.hash = h), hash);
    await expect.poll(() => text(page).inputValue(), { timeout: 30_000 }).toBe('SHARED text from a link');
    await page.click('[data-keep-shared]');
    await expect.poll(() => stored(page), { timeout: 5000 }).toContain('SHARED text from a link');
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    await close();
  });

  it('tampered, truncated and hostile links show a notice and the default state, never executing anything', async () => {
    const hostile = [
      '#/lesson/1.1?s=1.AAAA%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E',
      '#/lesson/1.1?s=garbage',
      '#/lesson/1.1?s=1.eJyrVkrLz1eyUkpKLFKqBQA',
      '#/lesson/1.1?s=99.abc',
      '#/lesson/1.1?s=' + '1.' + 'A'.repeat(9000),
    ];
    for (const h of hostile) {
      const { page, errors, close } = await openApp(h);
      await page.waitForSelector('[data-lesson="1.1"]');
      await page.waitForSelector('[data-share-notice]');
      expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
      expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
      await close();
    }
  });
});

describe('device panel', () => {
  it('detects WebGPU under the SwiftShader flags and shows limits and storage', async () => {
    const { page, close } = await openApp('#/device');
    await page.waitForSelector('[data-device-panel]');
    expect(await page.locator('[data-webgpu]').getAttribute('data-webgpu')).toBe('yes');
    expect(await page.locator('[data-shader-f16]').count()).toBe(1);
    expect(await page.textContent('[data-device-panel]')).toContain('maxStorageBufferBindingSize');
    expect(Number(await page.textContent('[data-cores]'))).toBeGreaterThanOrEqual(1);
    await close();
  });
});

describe('offline', () => {
  it('after the first visit the service worker serves the app with the network off', async () => {
    const browser = await getBrowser();
    const context = await browser.newContext();
    const { page } = await openApp('#/', { context });
    await page.waitForSelector('[data-topic="1.0"]');
    // The first visit installs the service worker; the next load is controlled by it.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector('[data-topic="3.5"]');
    await page.goto(baseUrl() + '#/lesson/1.1');
    await page.waitForSelector('[data-lesson="1.1"]');
    const lab = page.locator('[data-lab]').first();
    if ((await lab.count()) > 0) await page.waitForSelector('[data-lab][data-status="ready"]', { timeout: 60_000 });
    await context.close();
  });
});

describe('bundle', () => {
  it('keeps the main entry chunk under 150 kB gzipped, without web-llm', () => {
    const dir = inject('distDir');
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const entry = /<script type="module" crossorigin src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(entry).toBeTruthy();
    const code = readFileSync(join(dir, entry!));
    const gz = gzipSync(code).length;
    console.log(`main entry chunk: ${(code.length / 1024).toFixed(1)} kB, ${(gz / 1024).toFixed(1)} kB gzipped`);
    expect(gz).toBeLessThan(150 * 1024);
    expect(code.includes('MLCEngine')).toBe(false);
    // Modules the entry imports statically (modulepreload) count too.
    const preloads = [...html.matchAll(/<link rel="modulepreload" crossorigin href="\.\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    const total = [entry!, ...preloads].reduce((s, f) => s + gzipSync(readFileSync(join(dir, f))).length, 0);
    expect(total).toBeLessThan(150 * 1024);
    expect(readdirSync(join(dir, 'assets')).length).toBeGreaterThan(0);
  });
});

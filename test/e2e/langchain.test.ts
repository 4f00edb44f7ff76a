/**
 * Lesson 1.3 end to end: the lesson opens offline from a share link with the shared chain and router
 * restored, all three LangChain labs reach ready, and running the shared chain on the built-in TinyLM
 * ticks 1.3.a with the parsed, schema-checked value.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, getBrowser, openApp } from './harness';
import { encodeShare } from '../../src/lib/share/codec';
import { lessonHash } from '../../src/lib/share/url';
import componentsMeta from '../../src/labs/lc-components/meta';
import routerMeta from '../../src/labs/lc-router/meta';
import { CHAIN_PRESETS } from '../../src/lib/langchain/presets';
import results from '../../src/lib/langchain/eval-results.json';

afterAll(async () => {
  await closeBrowser();
});

const ready = (id: string) => `[data-lab="${id}"][data-status="ready"]`;
const ignorable = (e: string) => /favicon|404|Failed to load resource/.test(e);

describe('lesson 1.3: LangChain', () => {
  it('opens offline from a share link, every lab ready, and the shared valibot chain runs on TinyLM', async () => {
    const valibot = CHAIN_PRESETS.find((p) => p.id === 'valibot')!;
    const share = encodeShare({
      'lc-components': { ...componentsMeta.defaults(), preset: 'valibot', ...structuredClone(valibot.spec) },
      'lc-router': { ...routerMeta.defaults(), driver: 'semantic', query: 'What is BM25?' },
    });
    const browser = await getBrowser();
    const context = await browser.newContext();
    const { page, errors } = await openApp(lessonHash('1.3', { share }), { context });
    await page.waitForSelector(ready('lc-components'), { timeout: 60_000 });
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await context.setOffline(true);
    await page.reload();
    for (const id of ['lc-components', 'lc-memory', 'lc-router']) await page.waitForSelector(ready(id), { timeout: 60_000 });

    // the lesson quotes the measured router figures from the committed eval file
    const text = await page.locator('[data-lesson="1.3"]').innerText();
    expect(text).toContain(`keyword rules ${Math.round(results.routers.keyword.accuracy * 100)} %`);
    expect(text).toContain('RouterQueryEngine');
    const lab = page.locator(ready('lc-components'));
    expect(await lab.locator('[data-lc-parser]').inputValue()).toBe('valibot');
    expect(await lab.locator('[data-lc-template]').inputValue()).toContain('"age" (number)');
    expect(await page.locator(`${ready('lc-router')} select[aria-label="Router that drives the chain"]`).inputValue()).toBe('semantic');
    await lab.locator('[data-lc-run]').click();
    await page.waitForSelector('[data-task="1.3.a"][aria-checked="true"]', { timeout: 60_000 });
    const result = await lab.locator('[data-lc-result]').first().textContent();
    expect(JSON.parse(result!)).toEqual({ name: 'Mia', age: 23 });
    expect(await lab.locator('[data-run-kind="llm"]').count()).toBe(1);
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await context.close();
  }, 180_000);
});

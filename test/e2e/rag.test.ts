/**
 * Lesson 1.4 end to end: ask the course a question offline (service worker, no model download,
 * no GPU needed), see numbered citations, and watch tasks tick; ingest a file and see a bad one
 * refused with the collection untouched.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, getBrowser, openApp } from './harness';

afterAll(async () => {
  await closeBrowser();
});

describe('lesson 1.4: RAG', () => {
  it('asks the course offline with citations, and the RAG tasks tick', async () => {
    const browser = await getBrowser();
    const context = await browser.newContext();
    const { page, errors } = await openApp('#/lesson/1.4', { context });
    const lab = page.locator('[data-lab="rag-pipeline"]');
    await page.locator('[data-lab="rag-pipeline"][data-status="ready"]').waitFor({ timeout: 60_000 });
    // install the service worker, then go offline and reload
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await context.setOffline(true);
    await page.reload();
    await page.locator('[data-lab="rag-pipeline"][data-status="ready"]').waitFor({ timeout: 60_000 });

    await lab.locator('select').first().selectOption('course');
    await lab.getByLabel('top-k').fill('3');
    await lab.locator('input[type="text"]').first().fill('Why do k-d trees fade in high dimensions?');
    await lab.locator('button[type="submit"]').click();
    await expect.poll(() => page.locator('[data-task="1.4.d"]').getAttribute('aria-checked'), { timeout: 60_000 }).toBe('true');
    // retrieved sources, the first from the vector-search lesson part
    await expect.poll(() => lab.locator('[data-result]').count()).toBeGreaterThan(0);
    expect(await lab.locator('[data-result]').first().getAttribute('data-doc')).toBe('1.4/vector-search');
    // the extractive answer cites a source, and the citation points at a listed chunk
    const cite = lab.locator('[data-answer="extractive"] [data-citation]');
    await cite.waitFor();
    const n = Number(await cite.getAttribute('data-citation'));
    expect(n).toBeGreaterThanOrEqual(1);
    expect(await lab.locator(`[data-result]`).nth(n - 1).textContent()).toMatch(/dimension/i);
    // a model answer or an honest message appears (TinyLM or the built-in fallback)
    await expect.poll(async () => (await lab.locator('[data-answer="model"]').textContent())?.includes('Generating') === false, { timeout: 60_000 }).toBe(true);

    // semantic search ticks 1.4.c
    const search = page.locator('[data-lab="vector-search"]');
    await page.locator('[data-lab="vector-search"][data-status="ready"]').waitFor({ timeout: 30_000 });
    await search.locator('input[type="search"]').fill('reciprocal rank fusion');
    await search.locator('button[type="submit"]').click();
    await expect.poll(() => page.locator('[data-task="1.4.c"]').getAttribute('aria-checked'), { timeout: 30_000 }).toBe('true');

    // embedding ticks 1.4.a
    const emb = page.locator('[data-lab="embeddings"]');
    await page.locator('[data-lab="embeddings"][data-status="ready"]').waitFor({ timeout: 30_000 });
    await emb.getByRole('button', { name: 'Embed' }).click();
    await expect.poll(() => page.locator('[data-task="1.4.a"]').getAttribute('aria-checked'), { timeout: 30_000 }).toBe('true');

    expect(errors.filter((e) => !/Failed to fetch|ERR_INTERNET_DISCONNECTED|net::/.test(e))).toEqual([]);
    await context.close();
  });

  it('the defaults work on the built-in model: Ask answers from the register; no passage → abstain; the course prompt is fitted to the window', async () => {
    const { page, errors } = await openApp('#/lesson/1.4/rag-pipeline');
    const lab = page.locator('[data-lab="rag-pipeline"]');
    await page.locator('[data-lab="rag-pipeline"][data-status="ready"]').waitFor({ timeout: 60_000 });
    // Nothing changed: the default collection, question, template and top-k. The first person of the register (seed 7007): "Mosan lives in Dakar. …"
    expect(await lab.locator('input[type="text"]').first().inputValue()).toBe('Where does Mosan live?');
    await lab.locator('button[type="submit"]').click();
    await expect.poll(() => lab.locator('[data-result]').first().getAttribute('data-doc'), { timeout: 60_000 }).toBe('register/1');
    const answer = lab.locator('[data-answer="model"] .answer');
    await expect.poll(async () => (await answer.textContent())?.trim(), { timeout: 90_000 }).toBe('Dakar');
    const bare = lab.locator('[data-answer="no-retrieval"] .answer');
    await expect.poll(async () => ((await bare.textContent()) ?? '…').replace('…', '').trim().length, { timeout: 90_000 }).toBeGreaterThan(0);
    expect(await bare.textContent()).not.toContain('Dakar');
    expect(await lab.getByTestId('budget').textContent()).toMatch(/of the \d+ tokens it may use\s+\(256-token window/);
    expect(await lab.getByTestId('gate').textContent()).toMatch(/Relevance gate: open/);

    // Nobody called Zorblat is in the register: the gate stops the pipeline before the model.
    await lab.getByRole('button', { name: 'Where does Zorblat live?' }).click();
    await expect.poll(() => lab.getByTestId('gate').textContent(), { timeout: 30_000 }).toMatch(/No relevant passage/);
    expect(await lab.locator('[data-answer="model"] [data-abstained]').count()).toBe(1);
    expect(await lab.locator('[data-answer="extractive"]').textContent()).toMatch(/I don't know/);

    // The course with the numbered-sources template and three chunks is far over TinyLM's window:
    // fitted before sending (sources dropped / cut), shown, and no error.
    await lab.locator('select').first().selectOption('course');
    await lab.getByLabel('top-k').fill('3');
    await lab.getByRole('button', { name: 'Reset template' }).click();
    await lab.locator('input[type="text"]').first().fill('Why should chunks overlap?');
    await lab.locator('button[type="submit"]').click();
    await expect.poll(() => lab.getByTestId('trimmed').count(), { timeout: 90_000 }).toBe(1);
    expect(await lab.getByTestId('trimmed').textContent()).toMatch(/Trimmed before sending: with all 3 sources it would be [\d,]+ tokens/);
    await expect.poll(async () => (await lab.locator('[data-answer="model"]').textContent())?.includes('Generating') === false, { timeout: 90_000 }).toBe(true);
    expect(await lab.locator('[data-answer="model"] .notice').count()).toBe(0); // no "Generation failed"
    expect(errors).toEqual([]);
    await page.close();
  });

  it('ingests a file, refuses a bad one with a clear message, and ticks 1.4.b', async () => {
    const { page, errors, close } = await openApp('#/lesson/1.4');
    const lab = page.locator('[data-lab="ingestion"]');
    await page.locator('[data-lab="ingestion"][data-status="ready"]').waitFor({ timeout: 60_000 });
    const input = lab.locator('[data-testid="rag-file-input"]');
    await input.setInputFiles([
      { name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from('# Notes\n\nRetrieval augmented generation grounds answers in documents.\n\n## More\n\nChunks overlap a little.') },
      { name: 'photo.txt', mimeType: 'text/plain', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 1, 2, 3]) },
    ]);
    await expect.poll(() => lab.locator('[data-outcome]').count(), { timeout: 30_000 }).toBe(2);
    expect(await lab.locator('[data-outcome="ok"]').textContent()).toMatch(/notes\.md.*chunks stored/);
    expect(await lab.locator('[data-outcome="error"]').textContent()).toMatch(/photo\.txt.*binary/);
    await expect.poll(() => page.locator('[data-task="1.4.b"]').getAttribute('aria-checked'), { timeout: 10_000 }).toBe('true');
    await expect.poll(() => lab.locator('.docs li').count()).toBe(1);
    // the same file again is a duplicate; the collection stays at one document
    await input.setInputFiles([{ name: 'copy.md', mimeType: 'text/markdown', buffer: Buffer.from('# Notes\n\nRetrieval augmented generation grounds answers in documents.\n\n## More\n\nChunks overlap a little.') }]);
    await expect.poll(async () => (await lab.locator('[data-outcome]').first().textContent()) ?? '', { timeout: 30_000 }).toMatch(/already in this collection/);
    expect(await lab.locator('.docs li').count()).toBe(1);
    // the collection made here shows up in the vector-search and pipeline labs without a reload
    const search = page.locator('[data-lab="vector-search"]');
    await expect.poll(() => search.locator('select').first().locator('option').allTextContents(), { timeout: 10_000 }).toContain('My documents');
    await expect.poll(() => page.locator('[data-lab="rag-pipeline"] select').first().locator('option').allTextContents(), { timeout: 10_000 }).toContain('My documents');
    expect(errors).toEqual([]);
    await close();
  });
});

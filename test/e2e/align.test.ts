/**
 * Lesson 2.3 in the built app: the DPO lab opens from a share link with its settings, reaches ready
 * (chat model loaded and its behaviour measured), reports bad JSONL lines, and a short run ticks 2.3.c.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openApp } from './harness';
import { encodeShare } from '../../src/lib/share/codec';
import { lessonHash } from '../../src/lib/share/url';

afterAll(async () => {
  await closeBrowser();
});

const ready = '[data-lab="align-dpo"][data-status="ready"]';
const ignorable = (e: string) => /favicon|404|Failed to load resource/.test(e);

describe('lesson 2.3: preference alignment', () => {
  it('a short shared DPO run ticks 2.3.c; bad JSONL lines and over-long pairs are reported with their numbers', async () => {
    const share = encodeShare({ 'align-dpo': { beta: 0.1, steps: 5, lr: 0.003, rpoAlpha: 0.3, nPairs: 16 } });
    const { page, errors, close } = await openApp(lessonHash('2.3', { share }));
    await page.waitForSelector(ready, { timeout: 120_000 });
    const lab = page.locator(ready);
    expect(await lab.getByTestId('before').textContent()).toMatch(/held-out prompts/);
    expect(await lab.getByTestId('pairs-report').textContent()).toMatch(/^16 pairs used/);
    const box = lab.getByLabel('Preference pairs (JSONL)');
    const good = await box.inputValue();
    const long = JSON.stringify({ prompt: 'Context: ' + 'Mia lives in Oslo. '.repeat(60) + '\nQuestion: Where does Mia live?', chosen: 'Oslo', rejected: 'Rome' });
    await box.fill(`${good}\nnot json\n{"prompt": "p", "chosen": "a", "rejected": "a"}\n${long}`);
    expect(await lab.getByTestId('bad-lines').textContent()).toMatch(/line 17: not valid JSON[\s\S]*line 18: chosen and rejected are identical/);
    expect(await lab.getByTestId('pairs-report').textContent()).toMatch(/^17 pairs used; 2 lines skipped/);
    await lab.getByRole('button', { name: 'Train by DPO' }).click();
    await page.waitForSelector('[data-task="2.3.c"][aria-checked="true"]', { timeout: 180_000 });
    await lab.getByTestId('after').waitFor();
    expect(await lab.getByTestId('metrics').textContent()).toMatch(/step 5: loss/);
    // The worker left the pair that does not fit the window out of training and named its line.
    expect(await lab.getByTestId('over-long').textContent()).toMatch(/line 19: \d+ tokens, longer than the 256-token window/);
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await close();
  }, 300_000);
});

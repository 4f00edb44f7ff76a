/**
 * Lesson 1.2 in the built app: the prompting lab opens from a share link with the shared
 * question, examples, variants and settings restored; running it (with the deterministic test
 * double, so the test needs no model and cannot flake on a model's output) shows each variant's
 * answers and agreement and ticks 1.2.a and 1.2.b. The structured-output lab runs its loop and
 * ticks 1.2.c.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, getBrowser, openApp } from './harness';
import { encodeShare } from '../../src/lib/share/codec';
import { lessonHash } from '../../src/lib/share/url';

afterAll(async () => {
  await closeBrowser();
});

const ready = (id: string) => `[data-lab="${id}"][data-status="ready"]`;
const ignorable = (e: string) => /favicon|404|Failed to load resource/.test(e);

describe('lesson 1.2', () => {
  it('opens the prompting lab from a share link, runs it, ticks 1.2.a–c', async () => {
    const shared = {
      task: 'custom',
      question: 'What colour is the sky on a clear day?',
      expected: 'blue',
      examples: [{ input: 'What colour is grass?', output: 'green', reasoning: 'Grass has chlorophyll.' }],
      systemA: 'You are a terse assistant.',
      systemB: 'You are a pirate.',
      variants: ['zero', 'few', 'zero-cot', 'system-b'],
      runs: 2,
      seed: 7,
      temperature: 0.5,
      maxTokens: 48,
      model: 'test-double',
    };
    const browser = await getBrowser();
    const context = await browser.newContext();
    // Test mode: the registry offers the deterministic test double as a model.
    const { page, errors, close } = await openApp('#/', { context });
    await page.evaluate(() => localStorage.setItem('llm-lab:test-engines', '1'));
    const base = page.url().replace(/#.*$/, '');
    await page.goto('about:blank');
    await page.goto(base + lessonHash('1.2', { lab: 'prompting', share: encodeShare({ prompting: shared }) }));
    await page.waitForSelector(ready('prompting'), { timeout: 60_000 });
    await page.waitForSelector(ready('structured-output'), { timeout: 60_000 });
    const lab = page.locator(ready('prompting'));
    // The shared model id is offered; use it.
    await lab.getByRole('button', { name: 'Use test-double' }).click();
    await page.waitForFunction(() => document.querySelector<HTMLSelectElement>('[data-lab="prompting"] .picker select')?.value === 'test-double');
    // Shared state restored.
    expect(await lab.locator('[data-prompting-question]').inputValue()).toBe(shared.question);
    expect(await lab.locator('textarea').evaluateAll((els) => els.map((e) => (e as HTMLTextAreaElement).value))).toContain('You are a pirate.');
    expect(await lab.getByRole('checkbox', { name: 'Few-shot CoT' }).isChecked()).toBe(false);
    expect(await lab.getByRole('checkbox', { name: 'Zero-shot CoT' }).isChecked()).toBe(true);
    expect(await lab.getByLabel('Runs per variant').inputValue()).toBe('2');

    // Run: four variants × 2 seeded runs, each with answers and agreement.
    await lab.locator('[data-prompting-run]').click();
    await lab.locator('[data-prompting-results]').waitFor();
    await page.waitForSelector('[data-task="1.2.a"][aria-checked="true"]', { timeout: 60_000 });
    await page.waitForSelector('[data-task="1.2.b"][aria-checked="true"]', { timeout: 60_000 });
    expect(await lab.locator('[data-variant]').count()).toBe(4);
    for (const id of shared.variants) {
      const card = lab.locator(`[data-variant="${id}"]`);
      expect(await card.locator('.chip').count()).toBe(2);
      // the test double answers deterministically: both seeds agree
      expect(await card.locator('[data-agreement]').getAttribute('data-agreement')).toBe('1');
    }

    // Structured output: the test double honours response_format, so constrained decoding gives valid JSON.
    const so = page.locator(ready('structured-output'));
    await so.getByRole('checkbox', { name: /Constrained decoding/ }).check();
    await so.getByLabel('Runs').fill('3');
    await so.locator('[data-structured-run]').click();
    await so.locator('[data-structured-summary]').waitFor();
    await page.waitForSelector('[data-task="1.2.c"][aria-checked="true"]', { timeout: 60_000 });
    expect(await so.locator('[data-structured-summary]').getAttribute('data-success-rate')).toBe('1');
    expect(await so.locator('[data-structured-runs] > li').count()).toBe(3);
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await close();
    await context.close();
  });
});

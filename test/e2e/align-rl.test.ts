/**
 * Lesson 2.3.b in the built app: the RLHF lab opens from a share link with a short configuration,
 * reaches ready, reports bad JSONL lines, trains the reward model, runs a short GRPO and ticks 2.3.b.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openApp } from './harness';
import { encodeShare } from '../../src/lib/share/codec';
import { lessonHash } from '../../src/lib/share/url';

afterAll(async () => {
  await closeBrowser();
});

const ready = '[data-lab="align-rl"][data-status="ready"]';
const ignorable = (e: string) => /favicon|404|Failed to load resource/.test(e);

describe('lesson 2.3.b: reward model + GRPO', () => {
  it('a short shared run reports bad and over-long lines, trains the reward model, runs GRPO and ticks 2.3.b', async () => {
    const share = encodeShare({ 'align-rl': { nPairs: 16, rmSteps: 20, sftSteps: 1, rlSteps: 2, beta: 0.1, lr: 0.002, iterations: 2, temperature: 1, reward: 'model' } });
    const { page, errors, close } = await openApp(lessonHash('2.3', { share }));
    await page.waitForSelector(ready, { timeout: 120_000 });
    const lab = page.locator(ready);
    expect(await lab.getByTestId('pairs-report').textContent()).toMatch(/^16 pairs used/);
    const box = lab.getByLabel('Preference pairs (JSONL)');
    const good = await box.inputValue();
    const long = JSON.stringify({ prompt: 'Context: ' + 'Mia lives in Oslo. '.repeat(60) + '\nQuestion: Where does Mia live?', chosen: 'Oslo', rejected: 'Rome' });
    await box.fill(`${good}\n{"prompt": "p", "chosen": "", "rejected": "a"}\n[1]\n${long}`);
    expect(await lab.getByTestId('bad-lines').textContent()).toMatch(/line 17: empty chosen completion[\s\S]*line 18: not a JSON object/);
    expect(await lab.getByRole('button', { name: 'Run GRPO' }).isDisabled()).toBe(true); // no reward model yet
    await lab.getByRole('button', { name: 'Train the reward model' }).click();
    await lab.getByTestId('rm-result').waitFor({ timeout: 120_000 });
    expect(await lab.getByTestId('rm-result').textContent()).toMatch(/Held-out pair accuracy \d\.\d\d on 64 pairs/);
    expect(await lab.getByTestId('over-long').textContent()).toMatch(/line 19: \d+ tokens, longer than the 256-token window/);
    await lab.getByRole('button', { name: 'Run GRPO' }).click();
    await page.waitForSelector('[data-task="2.3.b"][aria-checked="true"]', { timeout: 180_000 });
    await lab.getByTestId('rl-result').waitFor();
    expect(await lab.getByTestId('metrics').textContent()).toMatch(/step 3: reward/);
    expect(await lab.getByTestId('compare').textContent()).toMatch(/RM \+ GRPO, this browser/);
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await close();
  }, 300_000);
});

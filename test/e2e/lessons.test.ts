/**
 * Lessons 1.0, 1.1 and 2.1 in the built app: each opens from a share link with the shared state
 * restored, its labs reach data-status="ready", and using a lab ticks its task.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openApp } from './harness';
import { encodeShare } from '../../src/lib/share/codec';
import { lessonHash } from '../../src/lib/share/url';
import { EXERCISES } from '../../src/labs/python-refresher/exercises';

afterAll(async () => {
  await closeBrowser();
});

const ready = (id: string) => `[data-lab="${id}"][data-status="ready"]`;
const ignorable = (e: string) => /favicon|404|Failed to load resource/.test(e);

describe('lessons from share links', () => {
  it('1.0: shared playground settings restored; training ticks 1.0.b, the refresher 1.0.a', async () => {
    const share = encodeShare({
      'nn-playground': { dataset: 'xor', noise: 0.1, hidden: [5], activation: 'tanh', learningRate: 0.3, batchSize: 30, seed: 3 },
      'async-streams': { pattern: 'race', fastMs: 20, slowMs: 40, timeoutMs: 500, prediction: 420 },
      'backprop-steps': { x1: 2, x2: 0, w1: -3, w2: 1, b: 6.8814, y: 1, lr: 0.35 },
    });
    const { page, errors, close } = await openApp(lessonHash('1.0', { share }));
    for (const id of ['nn-playground', 'backprop-steps', 'async-streams', 'python-refresher']) await page.waitForSelector(ready(id), { timeout: 60_000 });
    const nn = page.locator(ready('nn-playground'));
    expect(await nn.locator('select').first().inputValue()).toBe('xor');
    expect(await page.locator(`${ready('async-streams')} input[value="race"]`).isChecked()).toBe(true);
    // the prediction and the backprop learning rate travel in the link too
    expect(await page.locator(ready('async-streams')).getByLabel(/Your prediction/).inputValue()).toBe('420');
    expect(await page.locator(ready('backprop-steps')).getByLabel('lr').inputValue()).toBe('0.35');
    await nn.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForSelector('[data-task="1.0.b"][aria-checked="true"]', { timeout: 60_000 });
    // The Python refresher: every answer right ticks 1.0.a.
    const py = page.locator(ready('python-refresher'));
    for (const ex of EXERCISES) await py.locator(`[data-exercise="${ex.id}"] input`).fill(ex.accept[0]!);
    await page.waitForSelector('[data-task="1.0.a"][aria-checked="true"]', { timeout: 30_000 });
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await close();
  });

  it('1.1: shared calculator and sampling settings restored; overflow demo ticks 1.1.b, drawing ticks 1.1.c', async () => {
    const share = encodeShare({
      sampling: { model: 'tinylm-base', prompt: 'One day, a little dog', temperature: 0.7, topK: 5, topP: 1, minP: 0, repetitionPenalty: 1, presencePenalty: 0, frequencyPenalty: 0, n: 4, seed: 9, maxTokens: 8 },
      'context-window': { model: 'Qwen2.5-0.5B-Instruct', precision: 'f16', kvDtype: 'f16', context: 8192, batch: 1, budgetGiB: 4, overflowExtra: 16 },
    });
    const { page, errors, close } = await openApp(lessonHash('1.1', { share }));
    await page.waitForSelector(ready('context-window'), { timeout: 60_000 });
    const cw = page.locator(ready('context-window'));
    expect(await cw.locator('select').first().inputValue()).toBe('Qwen2.5-0.5B-Instruct');
    // Qwen2.5 0.5B: 2 · 24 layers · 2 kv heads · 64 · 2 B = 12 KiB per token → 96 MiB at 8192
    expect(await cw.getByTestId('kv').textContent()).toBe('96.0 MiB');
    await cw.locator('select').first().selectOption('Llama-3.1-8B-Instruct');
    expect(await cw.getByTestId('kv').textContent()).toBe('1.00 GiB'); // 128 KiB × 8192
    await cw.getByRole('button', { name: 'Send the long prompt' }).click();
    await page.waitForSelector('[data-task="1.1.b"][aria-checked="true"]', { timeout: 60_000 });
    expect(await cw.getByTestId('overflow').textContent()).toMatch(/exceed the model's window/);
    await page.waitForSelector(ready('sampling'), { timeout: 60_000 });
    const s = page.locator(ready('sampling'));
    expect(await s.locator('textarea').inputValue()).toBe('One day, a little dog');
    await s.getByRole('button', { name: /Draw 4 samples/ }).click();
    await page.waitForSelector('[data-task="1.1.c"][aria-checked="true"]', { timeout: 60_000 });
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await close();
  });

  it('2.1: shared ablation restored; exploring ticks 2.1.a, stepping 2.1.b, a switch 2.1.c', async () => {
    const share = encodeShare({
      ablations: { prompt: 'Once upon a time, there was a cat', heads: [[0, 1]], attention: [], ffn: [2], norms: [], residual: [], finalNorm: false, trainSteps: 20 },
      attention: { prompt: 'Tom saw a dog. Tom', layer: 2, head: 1, pos: -1 },
    });
    const { page, errors, close } = await openApp(lessonHash('2.1', { share }));
    for (const id of ['attention', 'decoder-block', 'ablations']) await page.waitForSelector(ready(id), { timeout: 60_000 });
    const ab = page.locator(ready('ablations'));
    expect(await ab.getByLabel('layer 2 feed-forward on').isChecked()).toBe(false);
    expect(await ab.getByLabel('layer 0 head 1 on').isChecked()).toBe(false);
    expect(await page.locator('[data-task="2.1.c"]').first().getAttribute('aria-checked')).toBe('false');
    await ab.getByLabel('layer 1 feed-forward on').click();
    await page.waitForSelector('[data-task="2.1.c"][aria-checked="true"]', { timeout: 60_000 });
    const at = page.locator(ready('attention'));
    expect(await at.locator('select').first().inputValue()).toBe('2');
    await at.getByTestId('tokens').locator('button').nth(2).hover();
    await at.getByRole('button', { name: 'layer 0 head 0' }).click();
    await page.waitForSelector('[data-task="2.1.a"][aria-checked="true"]', { timeout: 30_000 });
    const next = page.locator(ready('decoder-block')).getByRole('button', { name: /Next step/ });
    for (let i = 0; i < 13; i++) await next.click();
    await page.waitForSelector('[data-task="2.1.b"][aria-checked="true"]', { timeout: 30_000 });
    expect(errors.filter((e) => !ignorable(e)), errors.join('\n')).toEqual([]);
    await close();
  });
});

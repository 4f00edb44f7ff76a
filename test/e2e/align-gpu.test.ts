/**
 * Lesson 2.3's SFT-vs-DPO GPU comparison in the built app, in test mode (web-llm replaced by its
 * double, its "cache" in localStorage). Headless Chromium offers WebGPU on SwiftShader without
 * shader-f16, so the lab picks the q4f32 TinyLlama pair and marks the 7B Hermes pair as unable to run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { baseUrl, closeBrowser, getBrowser, openApp } from './harness';

afterAll(async () => {
  await closeBrowser();
});

const SFT = 'TinyLlama-1.1B-Chat-v0.4-q4f32_1-MLC';
const DPO = 'TinyLlama-1.1B-Chat-v1.0-q4f32_1-MLC';

describe('lesson 2.3: SFT vs DPO on the GPU (test mode)', () => {
  it('sends one prompt to both downloaded models, one after the other, and shows both replies', async () => {
    const browser = await getBrowser();
    const context = await browser.newContext();
    const { page, errors, close } = await openApp('#/', { context });
    await page.evaluate(([sft, dpo]) => {
      localStorage.setItem('llm-lab:test-engines', '1');
      localStorage.setItem('llm-lab:fake-webllm-cache', JSON.stringify([sft, dpo]));
    }, [SFT, DPO]);
    await page.goto(baseUrl() + '#/lesson/2.3');
    await page.reload(); // the test flag is read at start-up
    const gpu = page.locator('[data-gpu-compare]');
    await gpu.getByLabel('Model pair').waitFor({ timeout: 60_000 }); // shown: the test browser has WebGPU (SwiftShader)
    expect(await gpu.getByLabel('Model pair').inputValue()).toBe('tinyllama');
    await gpu.locator(`[data-compare-model="${DPO}"][data-cached="complete"]`).waitFor({ timeout: 20_000 });
    await gpu.locator('[data-compare-preset="format"]').click();
    await gpu.getByLabel('max tokens').fill('16');
    await gpu.locator('[data-compare-run]').click();
    await gpu.locator('[data-compare-side="dpo"][data-phase="done"]').waitFor({ timeout: 60_000 });
    for (const side of ['sft', 'dpo']) {
      const card = gpu.locator(`[data-compare-side="${side}"]`);
      expect(await card.getAttribute('data-phase')).toBe('done');
      expect(await card.textContent()).toContain('You said: Give e') // the double streams a character per token, 16 of them;
      expect(await card.locator('[data-compare-stats]').textContent()).toMatch(/16 tokens · 4 words · load \d+\.\d s/);
    }
    // the 7B pair needs shader-f16, which SwiftShader lacks: its download is disabled, with the reason
    await gpu.getByLabel('Model pair').selectOption('hermes');
    const hermes = gpu.locator('[data-compare-model="OpenHermes-2.5-Mistral-7B-q4f16_1-MLC"]');
    expect(await hermes.textContent()).toMatch(/shader-f16/);
    expect(await hermes.getByRole('button', { name: 'Download' }).isDisabled()).toBe(true);
    expect(errors.filter((e) => !/favicon|404|Failed to load resource/.test(e)), errors.join('\n')).toEqual([]);
    await close();
    await context.close();
  }, 180_000);
});

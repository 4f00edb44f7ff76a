/**
 * The ModelPicker in a real browser, with the app's model state and the test flag (web-llm
 * replaced by its double): built-in models are listed, downloaded web-llm models appear, choosing
 * one loads it and persists the choice.
 */
import { render, waitFor, fireEvent } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { Models } from '../../../src/app/models.svelte';
import { SETTING_CURRENT, TEST_FLAG } from '../../../src/app/models.svelte';
import { openLabDB } from '../../../src/lib/storage/db';
import PickerHarness from './PickerHarness.svelte';
import EngineErrorNotice from '../../../src/ui/EngineErrorNotice.svelte';
import { mapWebLLMError } from '../../../src/lib/engine/webllm/errors';

const MODEL = 'SmolLM2-360M-Instruct-q4f32_1-MLC';

afterEach(() => {
  localStorage.removeItem(TEST_FLAG);
  localStorage.removeItem('llm-lab:fake-webllm-cache');
});

describe('ModelPicker', () => {
  it('lists built-in and downloaded models, and choosing one loads it and saves the choice', async () => {
    localStorage.setItem(TEST_FLAG, '1');
    localStorage.setItem('llm-lab:fake-webllm-cache', JSON.stringify([MODEL]));
    const db = openLabDB(`picker-${Math.random()}`);
    let models!: Models;
    const { container } = render(PickerHarness, { db, expose: (m: Models) => (models = m) });
    const select = container.querySelector('select')!;
    await waitFor(() => expect(select.querySelector('option[value="test-double"]')).not.toBeNull(), { timeout: 20_000 });
    await waitFor(() => expect(select.querySelector(`option[value="${MODEL}"]`)).not.toBeNull(), { timeout: 10_000 });
    const groups = [...select.querySelectorAll('optgroup')].map((g) => g.label);
    expect(groups).toContain('Built in (TinyLM, no download)');
    expect(groups).toContain('Downloaded (WebGPU)');
    expect(container.querySelector('a[href="#/models"]')).not.toBeNull();

    select.value = MODEL;
    await fireEvent.change(select);
    await waitFor(() => expect(models.status).toBe('ready'), { timeout: 20_000 });
    expect(models.currentId).toBe(MODEL);
    expect((await db.settings.get(SETTING_CURRENT))?.value).toBe(MODEL);
    const { engine } = await models.get();
    expect(engine.kind).toBe('webllm');
    db.close();
  });
});

describe('EngineErrorNotice', () => {
  it('offers the q4f32 twin when shader-f16 is missing', async () => {
    const used: string[] = [];
    const error = mapWebLLMError('ShaderF16SupportError: This model requires WebGPU extension shader-f16', { modelId: 'Qwen3-0.6B-q4f16_1-MLC' });
    const { container, getByRole } = render(EngineErrorNotice, { error, modelId: 'Qwen3-0.6B-q4f16_1-MLC', onuse: (id: string) => used.push(id) });
    expect(container.querySelector('[data-error-code="no-shader-f16"]')!.textContent).toMatch(/shader-f16/);
    await fireEvent.click(getByRole('button', { name: 'Use Qwen3-0.6B-q4f32_1-MLC' }));
    expect(used).toEqual(['Qwen3-0.6B-q4f32_1-MLC']);
  });

  it('offers a page reload after a lost GPU device', () => {
    const { getByRole } = render(EngineErrorNotice, { error: mapWebLLMError('DeviceLostError: The WebGPU device was lost') });
    expect(getByRole('button', { name: 'Reload the page' })).toBeTruthy();
  });
});

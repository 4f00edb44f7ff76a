/**
 * The ModelPicker in a real browser, with the app's model state and the test flag (web-llm
 * replaced by its double): built-in models are listed, downloaded web-llm models appear, choosing
 * one loads it and persists the choice.
 */
import { render, waitFor, fireEvent } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTING_CURRENT, type Models } from '../../../src/ui/models/models.svelte';
import { TEST_FLAG } from '../../../src/app/models.svelte';
import { openLabDB } from '../../../src/lib/storage/db';
import PickerHarness from './PickerHarness.svelte';
import EngineErrorNotice from '../../../src/ui/EngineErrorNotice.svelte';
import { mapWebLLMError } from '../../../src/lib/engine/webllm/errors';
import { Tokenizer, trainBPE } from '../../../src/lib/tokenizer';
import { renderConvTemplate } from '../../../src/lib/engine/webllm/model-files';

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

describe('inspectDownloaded (lesson 1.1 hook)', () => {
  it('reads a cached model’s tokenizer.json and chat config from the real Cache API', async () => {
    const base = 'https://huggingface.co/mlc-ai/SmolLM2-360M-Instruct-q4f32_1-MLC/resolve/main/';
    const { vocab, merges } = trainBPE('the cat sat on the mat. '.repeat(30), 280, ['<|im_start|>', '<|im_end|>']);
    const json = new Tokenizer(vocab, merges, ['<|im_start|>', '<|im_end|>']).toHFJson();
    const conv = {
      system_template: '<|im_start|>system\n{system_message}<|im_end|>\n',
      system_message: 'You are a helpful AI assistant.',
      roles: { user: '<|im_start|>user', assistant: '<|im_start|>assistant' },
      seps: ['<|im_end|>\n'],
      role_content_sep: '\n',
      role_empty_sep: '\n',
    };
    const put = async (cache: string, url: string, body: unknown) => (await caches.open(cache)).put(url, new Response(JSON.stringify(body)));
    await put('webllm/model', base + 'tokenizer.json', json);
    await put('webllm/config', base + 'mlc-chat-config.json', { conv_template: conv, context_window_size: 4096 });
    try {
      const db = openLabDB(`inspect-${Math.random()}`);
      let models!: Models;
      render(PickerHarness, { db, expose: (m: Models) => (models = m) });
      const { tokenizer, chatConfig } = await models.webllm.inspectDownloaded(MODEL);
      expect(tokenizer?.source).toBe('ours');
      const enc = tokenizer!.encode('the cat sat');
      expect(enc.tokens.join('')).toBe('the cat sat');
      expect(tokenizer!.decode(enc.ids)).toBe('the cat sat');
      expect(renderConvTemplate(chatConfig!.conv_template, [{ role: 'user', content: 'hi' }])).toBe(
        '<|im_start|>system\nYou are a helpful AI assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
      );
      expect(await models.webllm.inspectDownloaded('Qwen3-0.6B-q4f32_1-MLC')).toEqual({ tokenizer: null, chatConfig: null });

    } finally {
      await caches.delete('webllm/model');
      await caches.delete('webllm/config');
    }
  });
});

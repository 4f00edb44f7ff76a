import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createInferenceApi, encodePrompt } from '../../../src/lib/inference/api';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';

const load = async (url: string) => {
  const dir = `public/${url}`;
  return loadModel({ config: readFileSync(`${dir}config.json`, 'utf8'), safetensors: readFileSync(`${dir}model.safetensors`), tokenizer: readFileSync(`${dir}tokenizer.json`, 'utf8') });
};

describe('inference worker API (in Node)', () => {
  it('speculative on the chat target with a story-trained draft: still exact, but fewer acceptances', async () => {
    const api = createInferenceApi(load);
    await Promise.all(['tinylm-base', 'tinylm-chat', 'tinylm-draft'].map((m) => api.load(m, `models/${m}/`)));
    const base = { draft: 'tinylm-draft', gamma: 4, mode: 'greedy' as const, temperature: 1, seed: 1, maxTokens: 40, reps: 1 };
    const story = await api.speculative({ ...base, target: 'tinylm-base', format: 'story', prompt: 'Once upon a time, there was a little girl named Lily.' });
    const chat = await api.speculative({ ...base, target: 'tinylm-chat', format: 'chat', prompt: 'Context: Ana lives in Lima. Question: Where does Ana live?' });
    expect(story.identical).toBe(true);
    expect(chat.identical).toBe(true);
    expect(chat.text.length).toBeGreaterThan(0);
    expect(chat.alpha).toBeLessThan(story.alpha); // the draft never saw the chat format
  });

  it('a prompt over the window is a LabError with a next step, not a crash', async () => {
    const api = createInferenceApi(load);
    await Promise.all(['tinylm-base', 'tinylm-draft'].map((m) => api.load(m, `models/${m}/`)));
    const long = 'the cat sat on the mat. '.repeat(80);
    await expect(api.speculative({ target: 'tinylm-base', draft: 'tinylm-draft', format: 'story', prompt: long, gamma: 2, mode: 'greedy', temperature: 1, seed: 1, maxTokens: 8 })).rejects.toMatchObject({ code: 'context-window' });
    await expect(api.kvDecode('tinylm-base', 'story', long, 8, { signal: new AbortController().signal, progress: async () => {} })).rejects.toMatchObject({ code: 'context-window' });
    await expect(api.speculative({ target: 'nope', draft: 'tinylm-draft', format: 'story', prompt: 'x', gamma: 2, mode: 'greedy', temperature: 1, seed: 1, maxTokens: 8 })).rejects.toThrow(/not loaded/);
  });

  it('prompt formats: stories start after <|endoftext|>, chat turns in ChatML', async () => {
    const { tokenizer } = await load('models/tinylm-base/');
    expect(encodePrompt(tokenizer, 'story', 'Hi').ids[0]).toBe(0);
    const chat = encodePrompt(tokenizer, 'chat', 'Hi');
    expect(tokenizer.decode(chat.ids)).toBe('<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
    expect(chat.stopIds).toEqual([2, 0]);
  });
});

import { describe, expect, it } from 'vitest';
import { GPT2_SPLIT_PATTERN, Tokenizer, trainBPE } from '../../../src/lib/tokenizer';
import type { ChatMessage } from '../../../src/lib/engine/types';
import { loadModelTokenizer, readModelFiles, renderConvTemplate, renderJinjaChatTemplate, type ConvTemplateLike } from '../../../src/lib/engine/webllm/model-files';

const CORPUS = 'The cat sat on the mat. The dog ran in the park! Cats and dogs, 123 times. '.repeat(20);

function tinyTokenizerJson(): Record<string, unknown> {
  const { vocab, merges } = trainBPE(CORPUS, 300, ['<|im_start|>', '<|im_end|>']);
  const tok = new Tokenizer(vocab, merges, ['<|im_start|>', '<|im_end|>']);
  return JSON.parse(JSON.stringify(tok.toHFJson())) as Record<string, unknown>;
}

// MLC's ChatML conv_template as shipped in Qwen2.5's mlc-chat-config.json.
const CHATML: ConvTemplateLike = {
  system_template: '<|im_start|>system\n{system_message}<|im_end|>\n',
  system_message: 'You are a helpful assistant.',
  roles: { user: '<|im_start|>user', assistant: '<|im_start|>assistant' },
  seps: ['<|im_end|>\n'],
  role_content_sep: '\n',
  role_empty_sep: '\n',
  stop_str: ['<|im_end|>'],
};
const CHATML_JINJA =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

const messages: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Hi!' },
  { role: 'assistant', content: 'Hello.' },
  { role: 'user', content: 'Name a cat.' },
];

describe('downloaded model files', () => {
  it('reads tokenizer.json and mlc-chat-config.json from web-llm’s caches', async () => {
    const base = 'https://huggingface.co/mlc-ai/M-q4f32_1-MLC/resolve/main/';
    const stored: Record<string, Record<string, unknown>> = {
      'webllm/model': { [base + 'tokenizer.json']: { model: { type: 'BPE' } } },
      'webllm/config': { [base + 'mlc-chat-config.json']: { conv_template: CHATML } },
    };
    const caches = {
      open: async (name: string) => ({ match: async (url: string) => (stored[name]?.[url] ? { json: async () => stored[name]![url] } : undefined) }),
    };
    const files = await readModelFiles(caches, 'https://huggingface.co/mlc-ai/M-q4f32_1-MLC');
    expect(files.tokenizerJson).toEqual({ model: { type: 'BPE' } });
    expect(files.chatConfig?.conv_template.seps).toEqual(['<|im_end|>\n']);
    expect(await readModelFiles(caches, 'https://huggingface.co/mlc-ai/Other')).toEqual({ tokenizerJson: null, chatConfig: null });
    expect(await readModelFiles(undefined, 'https://x/y')).toEqual({ tokenizerJson: null, chatConfig: null });
  });

  it('uses our BPE for GPT-2-style files, and tokenizers.js agrees on the same file', async () => {
    const json = tinyTokenizerJson();
    const ours = await loadModelTokenizer(json);
    expect(ours.source).toBe('ours');
    // Same file, but with a Llama-3-style pre-tokenizer (explicit Split regex + ByteLevel without regex),
    // which our library does not read: tokenizers.js takes over, and must split identically.
    const llamaStyle = {
      ...json,
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          { type: 'Split', pattern: { Regex: GPT2_SPLIT_PATTERN }, behavior: 'Isolated', invert: false },
          { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
        ],
      },
    };
    const hf = await loadModelTokenizer(llamaStyle);
    expect(hf.source).toBe('tokenizers.js');
    for (const text of ['The cat sat on the mat.', 'Cats and dogs, 123 times!', '  spaced   out\n', 'héllo wörld 🙂']) {
      const a = ours.encode(text);
      const b = hf.encode(text);
      expect(b.ids, text).toEqual(a.ids);
      expect(hf.decode(b.ids)).toBe(text);
      expect(ours.decode(a.ids)).toBe(text);
    }
    expect(ours.encode('The cat').tokens.join('')).toBe('The cat');
  });

  it('renders MLC’s conv_template like web-llm, matching the model’s Jinja ChatML template', async () => {
    const mlc = renderConvTemplate(CHATML, messages);
    expect(mlc).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nName a cat.<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(await renderJinjaChatTemplate(CHATML_JINJA, messages)).toBe(mlc);
    // Without a system message the template's default one is used.
    expect(renderConvTemplate(CHATML, [{ role: 'user', content: 'x' }], false)).toBe('<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nx<|im_end|>\n');
  });
});

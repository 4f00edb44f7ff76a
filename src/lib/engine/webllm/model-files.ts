/**
 * A downloaded web-llm model's tokenizer and chat template, read from web-llm's cache — for the
 * tokenization lab (lesson 1.1) to show how a real model splits text and formats a chat.
 *
 * Hook for a lab (no web-llm import, works offline once the model was downloaded):
 *
 *   const files = await readModelFiles(caches, entry.url);          // entry from the catalogue
 *   const tok = await loadModelTokenizer(files.tokenizerJson);      // our BPE, or tokenizers.js
 *   tok.encode('Hello world')  // { ids, tokens }
 *   renderConvTemplate(files.chatConfig!.conv_template, messages)  // the prompt web-llm builds
 *
 * `tokenizer.json` sits in cache "webllm/model" beside the weights; `mlc-chat-config.json` in
 * "webllm/config". web-llm formats chats with MLC's `conv_template` from that config (not a
 * Jinja template), so `renderConvTemplate` reproduces web-llm's own prompt assembly; when a
 * Hugging Face `chat_template` (Jinja) is at hand, `renderJinjaChatTemplate` renders it with
 * @huggingface/jinja. Framework-free.
 */
import { fromHFJson, Tokenizer, UnsupportedTokenizerError } from '../../tokenizer';
import type { ChatMessage } from '../types';
import { cleanModelUrl } from './cache';

/** The Cache API surface used here. */
export interface CacheReader {
  open(name: string): Promise<{ match(url: string): Promise<{ json(): Promise<unknown> } | undefined> }>;
}

/** MLC's conversation template (the fields used to build a prompt). */
export interface ConvTemplateLike {
  system_template: string;
  system_message: string;
  roles: Record<string, string>;
  role_templates?: Record<string, string>;
  seps: string[];
  role_content_sep?: string;
  role_empty_sep?: string;
  stop_str?: string[];
  add_role_after_system_message?: boolean;
  render_empty_system_message?: boolean;
}

export interface MLCChatConfigLike {
  conv_template: ConvTemplateLike;
  context_window_size?: number;
  vocab_size?: number;
  tokenizer_files?: string[];
}

export interface ModelFiles {
  tokenizerJson: unknown | null;
  chatConfig: MLCChatConfigLike | null;
}

/** Reads tokenizer.json and mlc-chat-config.json of a downloaded model (null where not cached). */
export async function readModelFiles(storage: CacheReader | undefined, modelUrl: string): Promise<ModelFiles> {
  if (!storage) return { tokenizerJson: null, chatConfig: null };
  const base = cleanModelUrl(modelUrl);
  const read = async (cacheName: string, file: string) => {
    try {
      const res = await (await storage.open(cacheName)).match(new URL(file, base).href);
      return res ? await res.json() : null;
    } catch {
      return null;
    }
  };
  const [tokenizerJson, chatConfig] = await Promise.all([read('webllm/model', 'tokenizer.json'), read('webllm/config', 'mlc-chat-config.json')]);
  return { tokenizerJson, chatConfig: chatConfig as MLCChatConfigLike | null };
}

export interface ModelTokenizer {
  /** 'ours': the project's byte-level BPE (GPT-2-style files); 'tokenizers.js': everything else. */
  source: 'ours' | 'tokenizers.js';
  vocabSize: number;
  encode(text: string): { ids: number[]; tokens: string[] };
  decode(ids: number[]): string;
}

/**
 * A tokenizer for a model's tokenizer.json: our own BPE library when the format fits (GPT-2
 * byte-level), else Hugging Face's tokenizers.js (SentencePiece-style, Llama 3 / Qwen regexes, …).
 */
export async function loadModelTokenizer(tokenizerJson: unknown, tokenizerConfig: Record<string, unknown> = {}): Promise<ModelTokenizer> {
  try {
    const parts = fromHFJson(tokenizerJson);
    const tok = new Tokenizer(parts.vocab, parts.merges, parts.specialTokens);
    const dec = new TextDecoder();
    return {
      source: 'ours',
      vocabSize: tok.vocabSize,
      encode: (text) => {
        const ids = tok.encode(text, { allowedSpecial: 'all' });
        return { ids, tokens: ids.map((id) => dec.decode(tok.tokenBytes(id) ?? new Uint8Array())) };
      },
      decode: (ids) => tok.decode(ids),
    };
  } catch (e) {
    if (!(e instanceof UnsupportedTokenizerError)) throw e;
  }
  const { Tokenizer: HFTokenizer } = await import('@huggingface/tokenizers');
  const tok = new HFTokenizer(tokenizerJson as object, tokenizerConfig);
  return {
    source: 'tokenizers.js',
    vocabSize: tok.get_vocab(true).size,
    encode: (text) => {
      const enc = tok.encode(text, { add_special_tokens: false });
      return { ids: enc.ids, tokens: enc.tokens };
    },
    decode: (ids) => tok.decode(ids),
  };
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((p) => (p.type === 'text' ? p.text : '<image>')).join('');
}

/**
 * The prompt web-llm builds from MLC's conv_template (mirrors its Conversation.getPromptArray):
 * system template, then each message as role + content separator + text + separator, and the
 * assistant's reply header when `addGenerationPrompt`.
 */
export function renderConvTemplate(conv: ConvTemplateLike, messages: ChatMessage[], addGenerationPrompt = true): string {
  const systemMsg = messages.find((m) => m.role === 'system');
  const systemText = systemMsg ? textOf(systemMsg.content) : conv.system_message;
  const system = systemText === '' && conv.render_empty_system_message === false ? '' : conv.system_template.replace('{system_message}', systemText);
  const parts: string[] = system ? [system] : [];
  const contentSep = conv.role_content_sep ?? ': ';
  const emptySep = conv.role_empty_sep ?? ': ';
  const rest = messages.filter((m) => m.role !== 'system');
  rest.forEach((m, i) => {
    const roleStr = conv.roles[m.role] ?? m.role;
    const text = textOf(m.content);
    const templ = conv.role_templates?.[m.role];
    const body = templ ? templ.replace(`{${m.role}_message}`, text).replace('{function_string}', '') : text;
    const prefix = conv.add_role_after_system_message === false && system !== '' && i === 0 ? '' : roleStr + contentSep;
    parts.push(prefix + body + conv.seps[i % conv.seps.length]);
  });
  if (addGenerationPrompt) parts.push((conv.roles.assistant ?? 'assistant') + emptySep);
  return parts.join('');
}

/** Renders a Hugging Face Jinja `chat_template` on messages (with @huggingface/jinja; no eval). */
export async function renderJinjaChatTemplate(
  template: string,
  messages: ChatMessage[],
  extra: { bos_token?: string; eos_token?: string; add_generation_prompt?: boolean } = {},
): Promise<string> {
  const { Template } = await import('@huggingface/jinja');
  return new Template(template).render({
    messages: messages.map((m) => ({ role: m.role, content: textOf(m.content) })),
    bos_token: extra.bos_token ?? '',
    eos_token: extra.eos_token ?? '',
    add_generation_prompt: extra.add_generation_prompt ?? true,
  });
}

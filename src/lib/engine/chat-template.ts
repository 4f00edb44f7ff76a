/**
 * TinyLM's chat template (ChatML style, see `src/lib/tinylm/contract.ts`), in exactly the shape
 * the chat model was trained on (`src/lib/tinylm/corpus/instruct.ts`; a unit test keeps the two
 * identical):
 *
 *   <|im_start|>system\n{system}<|im_end|>\n
 *   <|im_start|>user\n{content}<|im_end|>\n
 *   <|im_start|>assistant\n{content}{<tool_call>…</tool_call>}<|im_end|>\n
 *   <|im_start|>tool\n{content}<|im_end|>\n
 *   <|im_start|>assistant\n            ← generation prompt
 *
 * Tools are described in the system message (after the caller's own system text, if any):
 *
 *   You can call these tools:
 *   - get_weather(city: string): Get the weather in a city.
 *   To call a tool, reply with <tool_call>{"name": "...", "arguments": {...}}</tool_call>
 *
 * and the model answers with `<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>`.
 * A requested JSON schema is *not* added to the prompt by TinyLM (the chat model learnt to read
 * "Return JSON with the keys …" in the user turn; constrained decoding enforces the schema);
 * `renderFormatBlock` exists for backends that want a textual hint.
 */
import { TINYLM_SPECIAL_TOKENS, TOOL_CALL_CLOSE, TOOL_CALL_OPEN } from '../tinylm/contract';
import type { ChatMessage, ContentPart, JSONSchema, ResponseFormat, ToolDefinition } from './types';

export const IM_START = TINYLM_SPECIAL_TOKENS[1];
export const IM_END = TINYLM_SPECIAL_TOKENS[2];
export const END_OF_TEXT = TINYLM_SPECIAL_TOKENS[0];

export interface TemplateOptions {
  tools?: ToolDefinition[];
  /** JSON schema the reply must follow (adds the format block); `null`/undefined = none. */
  jsonSchema?: JSONSchema | null;
  /** Append `<|im_start|>assistant\n` (default true). */
  addGenerationPrompt?: boolean;
}

/** The plain text of a message's content (image parts are dropped: TinyLM reads text only). */
export function contentText(content: string | ContentPart[] | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((p): p is Extract<ContentPart, { type: 'text' }> => p.type === 'text')
    .map((p) => p.text)
    .join('');
}

/** Flat JSON with a space after ':' and ',' (the style the chat model learnt); nested values compact. */
export function renderJSONLikeTraining(value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** One tool call as the model writes it: `<tool_call>{"name": "f", "arguments": {"a": 1}}</tool_call>`. */
export function formatToolCall(name: string, args: unknown): string {
  let parsed = args;
  if (typeof args === 'string') {
    try {
      parsed = JSON.parse(args);
    } catch {
      parsed = args;
    }
  }
  const argText = typeof parsed === 'string' ? parsed : renderJSONLikeTraining(parsed ?? {});
  return `${TOOL_CALL_OPEN}{"name": ${JSON.stringify(name)}, "arguments": ${argText}}${TOOL_CALL_CLOSE}`;
}

/** The tools description (the system message, or appended to the caller's system text). */
export function renderToolsBlock(tools: ToolDefinition[]): string {
  const lines = tools.map((t) => {
    const props = Object.entries((t.function.parameters?.properties ?? {}) as Record<string, { type?: unknown }>).map(
      ([k, v]) => `${k}: ${typeof v?.type === 'string' ? v.type : 'string'}`,
    );
    return `- ${t.function.name}(${props.join(', ')})${t.function.description ? `: ${t.function.description}` : ''}`;
  });
  return `You can call these tools:\n${lines.join('\n')}\nTo call a tool, reply with ${TOOL_CALL_OPEN}{"name": "...", "arguments": {...}}${TOOL_CALL_CLOSE}`;
}

/** A textual request for JSON following `schema` (not used by TinyLM, see above). */
export function renderFormatBlock(schema: JSONSchema): string {
  return `Reply with JSON only, matching this schema: ${JSON.stringify(schema)}`;
}

/** The JSON schema a response_format asks for (json_object without schema: any object). */
export function responseFormatSchema(format: ResponseFormat | undefined): JSONSchema | null {
  if (!format) return null;
  if (format.type === 'json_schema') return format.json_schema.schema;
  if (format.type === 'json_object') return format.schema ?? { type: 'object' };
  return null;
}

/** A prompt piece: a special token (encoded as its id) or ordinary text (specials in it are not honoured). */
export type PromptSegment = { special: string } | { text: string };

/**
 * The prompt as segments, so user text that happens to contain "<|im_end|>" is tokenized as
 * plain text rather than as the control token (no prompt injection through the template).
 */
export function renderChatMLSegments(messages: ChatMessage[], options: TemplateOptions = {}): PromptSegment[] {
  const blocks = [
    options.tools && options.tools.length > 0 ? renderToolsBlock(options.tools) : '',
    options.jsonSchema ? renderFormatBlock(options.jsonSchema) : '',
  ].filter(Boolean);
  const msgs = [...messages];
  if (blocks.length) {
    const extra = blocks.join('\n\n');
    if (msgs[0]?.role === 'system') msgs[0] = { ...msgs[0], content: `${contentText(msgs[0].content)}\n\n${extra}` };
    else msgs.unshift({ role: 'system', content: extra });
  }
  const out: PromptSegment[] = [];
  for (const m of msgs) {
    let body = contentText(m.content);
    if (m.role === 'assistant' && m.tool_calls) {
      for (const call of m.tool_calls) body += formatToolCall(call.function.name, call.function.arguments || '{}');
    }
    out.push({ special: IM_START }, { text: `${m.role}\n${body}` }, { special: IM_END }, { text: '\n' });
  }
  if (options.addGenerationPrompt ?? true) out.push({ special: IM_START }, { text: 'assistant\n' });
  return out;
}

/** Renders a conversation into the prompt text TinyLM was trained on. */
export function renderChatML(messages: ChatMessage[], options: TemplateOptions = {}): string {
  return renderChatMLSegments(messages, options)
    .map((s) => ('special' in s ? s.special : s.text))
    .join('');
}

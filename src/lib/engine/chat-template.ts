/**
 * TinyLM's chat template (ChatML style, see `src/lib/tinylm/contract.ts`), used both to build
 * training data and to build prompts at inference, so the two never drift apart:
 *
 *   <|im_start|>system\n{system}{tools block}{format block}<|im_end|>\n
 *   <|im_start|>user\n{content}<|im_end|>\n
 *   <|im_start|>assistant\n{content}{<tool_call>…</tool_call>}<|im_end|>\n
 *   <|im_start|>tool\n{content}<|im_end|>\n
 *   <|im_start|>assistant\n            ← generation prompt
 *
 * Tools block (appended to the system message, or to a system message created for it):
 *
 *   \n\n# Tools\nTo call a tool, reply with <tool_call>{"name": NAME, "arguments": ARGS}</tool_call>.\n<tools>\n
 *   {"name": …, "description": …, "parameters": …}\n   (one compact JSON line per tool)
 *   </tools>
 *
 * Response-format block (when a JSON schema is requested):
 *
 *   \n\n# Format\nReply with JSON only, matching this schema: {compact schema}
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

/** One tool call as the model writes it: `<tool_call>{"name": "f", "arguments": {...}}</tool_call>`. */
export function formatToolCall(name: string, args: unknown): string {
  const argText = typeof args === 'string' ? args : JSON.stringify(args ?? {});
  return `${TOOL_CALL_OPEN}{"name": ${JSON.stringify(name)}, "arguments": ${argText}}${TOOL_CALL_CLOSE}`;
}

/** The block that describes the available tools (appended to the system message). */
export function renderToolsBlock(tools: ToolDefinition[]): string {
  const lines = tools.map((t) =>
    JSON.stringify({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      parameters: t.function.parameters ?? { type: 'object', properties: {} },
    }),
  );
  return (
    `\n\n# Tools\nTo call a tool, reply with ${TOOL_CALL_OPEN}{"name": NAME, "arguments": ARGS}${TOOL_CALL_CLOSE}.\n` +
    `<tools>\n${lines.join('\n')}\n</tools>`
  );
}

/** The block that asks for JSON following `schema` (appended to the system message). */
export function renderFormatBlock(schema: JSONSchema): string {
  return `\n\n# Format\nReply with JSON only, matching this schema: ${JSON.stringify(schema)}`;
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
  const extra =
    (options.tools && options.tools.length > 0 ? renderToolsBlock(options.tools) : '') +
    (options.jsonSchema ? renderFormatBlock(options.jsonSchema) : '');
  const msgs = [...messages];
  if (extra) {
    if (msgs[0]?.role === 'system') msgs[0] = { ...msgs[0], content: contentText(msgs[0].content) + extra };
    else msgs.unshift({ role: 'system', content: extra.replace(/^\n\n/, '') });
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

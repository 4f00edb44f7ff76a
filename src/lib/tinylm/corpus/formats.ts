/**
 * The chat model's trained formats, on their own so that prompts, presets and lab defaults can use
 * them without pulling in the instruction-data generator (`instruct.ts`, which re-exports these).
 */
import { TOOL_CALL_CLOSE, TOOL_CALL_OPEN } from '../contract';

export type Role = 'system' | 'user' | 'assistant';
export interface ChatMessage {
  role: Role;
  content: string;
}

/** Renders messages in the ChatML template; with `generation`, opens the assistant turn. */
export function renderChatML(messages: ChatMessage[], generation = false): string {
  let s = '';
  for (const m of messages) s += `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;
  if (generation) s += '<|im_start|>assistant\n';
  return s;
}

/** A tool as described to the model (OpenAI function shape, simplified). */
export interface ToolSpec {
  name: string;
  description?: string;
  parameters?: { properties?: Record<string, { type?: string }>; required?: string[] };
}

/**
 * The system prompt that lists tools, one compact line each:
 *   You can call these tools:
 *   - get_weather(city: string): Get the weather in a city.
 *   To call a tool, reply with <tool_call>{"name": "...", "arguments": {...}}</tool_call>
 * The chat model was trained on exactly this format; engines should render tools with it.
 */
export function renderToolsPrompt(tools: ToolSpec[]): string {
  const lines = tools.map((t) => {
    const props = Object.entries(t.parameters?.properties ?? {}).map(([k, v]) => `${k}: ${v.type ?? 'string'}`);
    return `- ${t.name}(${props.join(', ')})${t.description ? `: ${t.description}` : ''}`;
  });
  return `You can call these tools:\n${lines.join('\n')}\nTo call a tool, reply with ${TOOL_CALL_OPEN}{"name": "...", "arguments": {...}}${TOOL_CALL_CLOSE}`;
}

/** The system prompt used for context question answering (RAG). */
export const QA_SYSTEM = 'Answer the question with words from the context.';
/** How a context-QA user turn is written (RAG demos should use the same shape). */
export function renderQAUser(context: string, question: string): string {
  return `Context: ${context}\nQuestion: ${question}`;
}

/** Flat JSON with a space after ':' and ',' (the style the model learns). */
export function renderJSON(obj: Record<string, unknown>): string {
  return `{${Object.entries(obj).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
}

/** The tools the chat model knows how to call. */
export const TOOLS: ToolSpec[] = [
  { name: 'get_weather', description: 'Get the weather in a city.', parameters: { properties: { city: { type: 'string' } }, required: ['city'] } },
  { name: 'set_timer', description: 'Start a timer.', parameters: { properties: { minutes: { type: 'number' } }, required: ['minutes'] } },
  { name: 'add_numbers', description: 'Add two numbers.', parameters: { properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } },
  { name: 'send_message', description: 'Send a message to a person.', parameters: { properties: { to: { type: 'string' }, text: { type: 'string' } }, required: ['to', 'text'] } },
  { name: 'get_time', description: 'Get the time in a city.', parameters: { properties: { city: { type: 'string' } }, required: ['city'] } },
];

/** Formats a tool call exactly as the model emits it. */
export function renderToolCall(name: string, args: Record<string, unknown>): string {
  return `${TOOL_CALL_OPEN}{"name": ${JSON.stringify(name)}, "arguments": ${renderJSON(args)}}${TOOL_CALL_CLOSE}`;
}

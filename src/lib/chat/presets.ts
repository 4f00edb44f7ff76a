/**
 * Starting points for the chat playground: a system prompt and an example message in the formats
 * the built-in chat model (tinylm-chat) was trained on (`src/lib/tinylm/corpus/instruct.ts`), so
 * each of its skills can be found from the page rather than from the source. The tools preset is
 * the exact system prompt of the tool-calling training examples, listing all five tools.
 */
import { QA_SYSTEM, renderToolsPrompt, TOOLS } from '../tinylm/corpus/instruct';

export interface ChatPreset {
  id: 'assistant' | 'qa' | 'json' | 'tools';
  label: string;
  /** what it shows, in one sentence */
  about: string;
  systemPrompt: string;
  /** a message to try, in the trained format */
  example: string;
}

/** The system prompt the chat model saw with every tool-calling example (all five tools). */
export const TOOLS_SYSTEM_PROMPT = renderToolsPrompt(TOOLS);

export const DEFAULT_SYSTEM_PROMPT = 'You are a helpful assistant.';

export const CHAT_PRESETS: readonly ChatPreset[] = [
  {
    id: 'assistant',
    label: 'Small talk',
    about: 'A general system prompt; TinyLM only knows short greetings and stories here.',
    systemPrompt: DEFAULT_SYSTEM_PROMPT,
    example: 'Tell me a short story about Ana.',
  },
  {
    id: 'qa',
    label: 'Question about a text',
    about: 'The format of its question-answering examples: a short Context, then a Question.',
    systemPrompt: QA_SYSTEM,
    example: 'Context: Ana lives in Rome. Ana works as a baker.\nQuestion: Where does Ana live?',
  },
  {
    id: 'json',
    label: 'JSON',
    about: 'Name the keys and their types; the model writes the object from the text.',
    systemPrompt: '',
    example: 'Return JSON with the keys "name" (string), "city" (string).\nText: Omar lives in Lima.',
  },
  {
    id: 'tools',
    label: 'Tool calls',
    about: 'The system prompt lists tools exactly as in its training; it answers with a <tool_call>. The playground shows the call and does not run it.',
    systemPrompt: TOOLS_SYSTEM_PROMPT,
    example: 'What is the weather in Paris?',
  },
];

/** The preset whose system prompt is `systemPrompt`, if any. */
export function presetFor(systemPrompt: string): ChatPreset | undefined {
  return CHAT_PRESETS.find((p) => p.systemPrompt.trim() === systemPrompt.trim());
}

/** A tool call written by the model (`<tool_call>{"name": …, "arguments": {…}}</tool_call>`), parsed. */
export interface ParsedToolCall {
  name: string;
  arguments: unknown;
  /** the JSON text between the tags */
  raw: string;
}

/**
 * Splits a reply into text and tool calls, in order. A call whose JSON does not parse stays text
 * (the learner sees what the model actually wrote).
 */
export function splitToolCalls(text: string): Array<{ text: string } | { call: ParsedToolCall }> {
  const out: Array<{ text: string } | { call: ParsedToolCall }> = [];
  const re = /<tool_call>([\s\S]*?)<\/tool_call>/g;
  let at = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let call: ParsedToolCall | null = null;
    try {
      const j = JSON.parse(m[1]) as { name?: unknown; arguments?: unknown };
      if (j && typeof j.name === 'string') call = { name: j.name, arguments: j.arguments ?? {}, raw: m[1] };
    } catch {
      call = null;
    }
    if (!call) continue;
    if (m.index > at) out.push({ text: text.slice(at, m.index) });
    out.push({ call });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

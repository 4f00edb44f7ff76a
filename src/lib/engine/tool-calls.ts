/**
 * Parsing tool calls out of model text. TinyLM writes them as
 * `<tool_call>{"name": "f", "arguments": {...}}</tool_call>` (see chat-template.ts); we turn them
 * into OpenAI `message.tool_calls` with `arguments` as a JSON string.
 */
import { TOOL_CALL_CLOSE, TOOL_CALL_OPEN } from '../tinylm/contract';
import type { ToolCall } from './types';

export interface ParsedToolCalls {
  /** Text outside the tool calls (trimmed); null when nothing else was said. */
  content: string | null;
  toolCalls: ToolCall[];
  /** Blocks that looked like tool calls but did not parse (kept in `content` too). */
  invalid: string[];
}

/** Makes OpenAI-style call ids; deterministic given a prefix and index (reproducible outputs). */
export function toolCallId(prefix: string, index: number): string {
  return `call_${prefix}_${index}`;
}

/** Parses one tool-call body `{"name": …, "arguments": …}`; null when it is not one. */
export function parseToolCallBody(body: string): { name: string; arguments: string } | null {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string' || !o.name) return null;
  const args = o.arguments ?? o.parameters ?? {};
  return { name: o.name, arguments: typeof args === 'string' ? args : JSON.stringify(args) };
}

/** Extracts every `<tool_call>…</tool_call>` block (an unclosed final block counts if its JSON parses). */
export function parseToolCalls(text: string, idPrefix = 'tinylm'): ParsedToolCalls {
  const toolCalls: ToolCall[] = [];
  const invalid: string[] = [];
  let rest = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf(TOOL_CALL_OPEN, i);
    if (open < 0) {
      rest += text.slice(i);
      break;
    }
    rest += text.slice(i, open);
    const start = open + TOOL_CALL_OPEN.length;
    const close = text.indexOf(TOOL_CALL_CLOSE, start);
    const body = text.slice(start, close < 0 ? text.length : close).trim();
    const parsed = parseToolCallBody(body);
    if (parsed) {
      toolCalls.push({ id: toolCallId(idPrefix, toolCalls.length), type: 'function', function: parsed });
    } else {
      invalid.push(body);
      rest += text.slice(open, close < 0 ? text.length : close + TOOL_CALL_CLOSE.length);
    }
    i = close < 0 ? text.length : close + TOOL_CALL_CLOSE.length;
  }
  const content = rest.trim();
  return { content: content.length > 0 || toolCalls.length === 0 ? (toolCalls.length ? content : rest) : null, toolCalls, invalid };
}

/**
 * Splits a streamed text into visible content and tool calls: text that might be the start of
 * `<tool_call>` is held back, a block is buffered until `</tool_call>` and then returned as a
 * parsed call (or, if it doesn't parse, as plain content).
 */
export class ToolCallStreamSplitter {
  private buf = '';
  private inside = false;
  private count = 0;
  constructor(private readonly idPrefix = 'tinylm') {}

  /** Number of tool calls parsed so far. */
  get calls(): number {
    return this.count;
  }

  /** Adds a piece; returns content to show now and any tool calls completed by this piece. */
  push(piece: string): { content: string; toolCalls: ToolCall[] } {
    this.buf += piece;
    let content = '';
    const toolCalls: ToolCall[] = [];
    for (;;) {
      if (!this.inside) {
        const open = this.buf.indexOf(TOOL_CALL_OPEN);
        if (open >= 0) {
          content += this.buf.slice(0, open);
          this.buf = this.buf.slice(open + TOOL_CALL_OPEN.length);
          this.inside = true;
          continue;
        }
        const keep = partialSuffix(this.buf, TOOL_CALL_OPEN);
        content += this.buf.slice(0, this.buf.length - keep);
        this.buf = this.buf.slice(this.buf.length - keep);
        break;
      }
      const close = this.buf.indexOf(TOOL_CALL_CLOSE);
      if (close < 0) break;
      const body = this.buf.slice(0, close).trim();
      this.buf = this.buf.slice(close + TOOL_CALL_CLOSE.length);
      this.inside = false;
      const parsed = parseToolCallBody(body);
      if (parsed) toolCalls.push({ id: toolCallId(this.idPrefix, this.count++), type: 'function', function: parsed });
      else content += TOOL_CALL_OPEN + body + TOOL_CALL_CLOSE;
    }
    return { content, toolCalls };
  }

  /** End of stream: an unclosed block becomes a call if its JSON parses, else content. */
  flush(): { content: string; toolCalls: ToolCall[] } {
    const rest = this.buf;
    this.buf = '';
    if (!this.inside) return { content: rest, toolCalls: [] };
    this.inside = false;
    const parsed = parseToolCallBody(rest.trim());
    if (parsed) return { content: '', toolCalls: [{ id: toolCallId(this.idPrefix, this.count++), type: 'function', function: parsed }] };
    return { content: TOOL_CALL_OPEN + rest, toolCalls: [] };
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of `marker`. */
function partialSuffix(text: string, marker: string): number {
  for (let k = Math.min(marker.length - 1, text.length); k > 0; k--) if (text.endsWith(marker.slice(0, k))) return k;
  return 0;
}

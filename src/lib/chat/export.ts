/**
 * Exporting a conversation as Markdown (for reading and pasting) and as JSON (lossless, and
 * with the OpenAI-shaped `messages` array so it can be replayed against any API), plus importing
 * that JSON back with validation (an imported file is untrusted input).
 */
import * as v from 'valibot';
import { newId, toRequestMessages, type ChatTurn, type Conversation } from './conversation';
import { requestFromParams, sanitizeParams } from './params';
import { formatStats } from './stats';
import { cutByWindow } from './context-window';

export const EXPORT_FORMAT = 'llm-lab.conversation';
export const EXPORT_VERSION = 1;

/** A fence long enough that no run of backticks inside `text` closes it. */
function fenceFor(text: string): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  return '`'.repeat(longest + 1);
}

/** Markdown: title, model, parameters, system prompt, then each turn with its stats. */
export function toMarkdown(conv: Conversation, exportedAt = new Date()): string {
  const lines: string[] = [];
  lines.push(`# ${conv.title.replace(/\n/g, ' ')}`, '');
  lines.push(`- Model: \`${conv.modelId || 'unknown'}\``);
  lines.push(`- Exported: ${exportedAt.toISOString()}`);
  const req = requestFromParams(conv.params);
  const shown = Object.entries(req).filter(([k]) => k !== 'logprobs' && k !== 'top_logprobs');
  lines.push(`- Parameters: ${shown.map(([k, val]) => `${k}=${JSON.stringify(val)}`).join(', ')}`, '');
  if (conv.systemPrompt.trim()) {
    lines.push('## System', '', conv.systemPrompt.trim(), '');
  }
  for (const t of conv.messages) {
    lines.push(`## ${t.role === 'user' ? 'User' : 'Assistant'}`, '');
    lines.push(t.content.length ? t.content : '_(empty)_', '');
    const notes = turnNotes(t);
    if (notes) lines.push(`> ${notes}`, '');
  }
  return lines.join('\n').trimEnd() + '\n';
}

function turnNotes(t: ChatTurn): string {
  const notes: string[] = [];
  if (t.role === 'assistant' && t.modelId) notes.push(`\`${t.modelId}\``);
  if (t.stats) notes.push(formatStats(t.stats));
  if (t.finishReason === 'abort') notes.push('stopped by the user');
  else if (t.finishReason === 'length') notes.push(cutByWindow(t.context, t.stats?.completionTokens) ? `cut by the ${t.context!.window}-token context window` : 'cut at max_tokens');
  else if (t.role === 'assistant' && t.finishReason == null && !t.error) notes.push('interrupted');
  if (t.error) notes.push(`error: ${t.error.message}`);
  return notes.join(' · ');
}

/** Lossless JSON (pretty-printed) with an OpenAI-shaped `messages` array beside our turns. */
export function toJSON(conv: Conversation, exportedAt = new Date()): string {
  return JSON.stringify(
    {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: exportedAt.toISOString(),
      conversation: conv,
      openai: { model: conv.modelId, messages: toRequestMessages(conv), ...requestFromParams(conv.params) },
    },
    null,
    2,
  );
}

const TurnSchema = v.object({
  id: v.optional(v.string()),
  role: v.picklist(['user', 'assistant']),
  content: v.pipe(v.string(), v.maxLength(1_000_000)),
  createdAt: v.optional(v.number()),
  modelId: v.optional(v.string()),
  finishReason: v.optional(v.nullable(v.string())),
  stats: v.optional(v.record(v.string(), v.unknown())),
});

const ExportSchema = v.object({
  format: v.literal(EXPORT_FORMAT),
  version: v.literal(EXPORT_VERSION),
  conversation: v.object({
    title: v.pipe(v.string(), v.maxLength(500)),
    modelId: v.optional(v.string(), ''),
    systemPrompt: v.optional(v.string(), ''),
    params: v.optional(v.record(v.string(), v.unknown()), {}),
    messages: v.pipe(v.array(TurnSchema), v.maxLength(10_000)),
    createdAt: v.optional(v.number()),
  }),
});

/**
 * Reads a file written by `toJSON`. The result gets a new id (importing never overwrites an
 * existing conversation); unknown parameters are dropped.
 */
export function fromJSON(text: string, now = Date.now()): { ok: true; value: Conversation } | { ok: false; error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `Not JSON: ${(e as Error).message}` };
  }
  const r = v.safeParse(ExportSchema, data);
  if (!r.success) {
    const issue = r.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    return { ok: false, error: `Not an LLM Lab conversation export${path ? ` (at ${path})` : ''}: ${issue.message}` };
  }
  const c = r.output.conversation;
  const params = sanitizeParams(c.params);
  return {
    ok: true,
    value: {
      id: newId(),
      title: c.title,
      modelId: c.modelId,
      systemPrompt: c.systemPrompt,
      params,
      messages: c.messages.map((m) => ({
        id: m.id ?? newId(),
        role: m.role,
        content: m.content,
        createdAt: m.createdAt ?? now,
        modelId: m.modelId,
        finishReason: (m.finishReason ?? undefined) as ChatTurn['finishReason'],
        stats: m.stats as ChatTurn['stats'],
      })),
      createdAt: c.createdAt ?? now,
      updatedAt: now,
    },
  };
}

/** A file name for downloads: "chat-<title>-<date>.<ext>". */
export function exportFileName(conv: Conversation, ext: 'md' | 'json', at = new Date()): string {
  const slug = conv.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'chat';
  return `chat-${slug}-${at.toISOString().slice(0, 10)}.${ext}`;
}

/**
 * The conversation model of the chat playground: turns with stats, the edits a learner makes
 * (edit and resend, regenerate), the messages sent to an engine, and the mapping to the
 * `conversations` table row.
 */
import type { ChatMessage, FinishReason, TokenLogprob } from '../engine/types';
import type { SerializedError } from '../engine/errors';
import type { ConversationRow } from '../storage/db';
import { sanitizeParams, type ChatParams } from './params';
import type { MessageStats } from './stats';
import type { ContextUsage } from './context-window';

export interface ChatTurn {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  createdAt: number;
  /** model that wrote an assistant turn */
  modelId?: string;
  stats?: MessageStats;
  finishReason?: FinishReason | null;
  /** per-token logprobs, kept when probability colouring was on */
  tokens?: TokenLogprob[];
  error?: SerializedError;
  /** what the request behind an assistant turn used of the context window */
  context?: ContextUsage;
}

export interface Conversation {
  id: string;
  title: string;
  modelId: string;
  systemPrompt: string;
  params: ChatParams;
  messages: ChatTurn[];
  createdAt: number;
  updatedAt: number;
}

/** A random id (crypto.randomUUID where available). */
export function newId(): string {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** An empty conversation. */
export function newConversation(init: Partial<Pick<Conversation, 'modelId' | 'systemPrompt' | 'params'>> = {}, now = Date.now()): Conversation {
  return {
    id: newId(),
    title: 'New chat',
    modelId: init.modelId ?? '',
    systemPrompt: init.systemPrompt ?? 'You are a helpful assistant.',
    params: init.params ? { ...init.params } : sanitizeParams(null),
    messages: [],
    createdAt: now,
    updatedAt: now,
  };
}

/** A short title from the first user message (first line, ≤ 60 characters). */
export function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0].replace(/\s+/g, ' ');
  if (!line) return 'New chat';
  return line.length > 60 ? `${line.slice(0, 57).trimEnd()}…` : line;
}

/** The OpenAI-shaped messages for the engine: system prompt, then the turns before `end` (exclusive). */
export function toRequestMessages(conv: Pick<Conversation, 'systemPrompt' | 'messages'>, end = conv.messages.length): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (conv.systemPrompt.trim()) out.push({ role: 'system', content: conv.systemPrompt });
  for (const t of conv.messages.slice(0, end)) {
    // A failed assistant turn with nothing in it is not part of the dialogue.
    if (t.role === 'assistant' && !t.content && t.error) continue;
    out.push({ role: t.role, content: t.content });
  }
  return out;
}

/** Appends a user turn (returns it); titles the conversation from its first message. */
export function addUserTurn(conv: Conversation, content: string, now = Date.now()): ChatTurn {
  const turn: ChatTurn = { id: newId(), role: 'user', content, createdAt: now };
  conv.messages.push(turn);
  if (conv.title === 'New chat') conv.title = titleFrom(content);
  conv.updatedAt = now;
  return turn;
}

/** Appends an empty assistant turn for a reply that is about to stream. */
export function addAssistantTurn(conv: Conversation, modelId: string, now = Date.now()): ChatTurn {
  const turn: ChatTurn = { id: newId(), role: 'assistant', content: '', createdAt: now, modelId, finishReason: null };
  conv.messages.push(turn);
  conv.updatedAt = now;
  return turn;
}

/**
 * Prepares a regeneration of the assistant turn `turnId`: drops it and everything after it.
 * Returns false when the id is not an assistant turn.
 */
export function truncateForRegenerate(conv: Conversation, turnId: string): boolean {
  const i = conv.messages.findIndex((t) => t.id === turnId);
  if (i < 0 || conv.messages[i].role !== 'assistant') return false;
  conv.messages.splice(i);
  conv.updatedAt = Date.now();
  return true;
}

/**
 * Edit and resend: replaces the user turn's text and drops every turn after it, so the next
 * reply answers the edited question. Returns false when the id is not a user turn.
 */
export function editUserTurn(conv: Conversation, turnId: string, content: string): boolean {
  const i = conv.messages.findIndex((t) => t.id === turnId);
  if (i < 0 || conv.messages[i].role !== 'user') return false;
  conv.messages[i] = { ...conv.messages[i], content };
  conv.messages.splice(i + 1);
  if (i === 0) conv.title = titleFrom(content);
  conv.updatedAt = Date.now();
  return true;
}

/** The row stored in IndexedDB (plain data: structured-clone safe). */
export function toRow(conv: Conversation): ConversationRow {
  return {
    id: conv.id,
    title: conv.title,
    modelId: conv.modelId,
    systemPrompt: conv.systemPrompt,
    params: JSON.parse(JSON.stringify(conv.params)) as Record<string, unknown>,
    messages: JSON.parse(JSON.stringify(conv.messages)) as unknown[],
    createdAt: conv.createdAt,
    updatedAt: conv.updatedAt,
  };
}

/** Rebuilds a conversation from a stored row, tolerating missing fields and dropping malformed ones. */
export function fromRow(row: ConversationRow): Conversation {
  const params = sanitizeParams(row.params);
  const messages: ChatTurn[] = [];
  const isNum = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  for (const m of Array.isArray(row.messages) ? row.messages : []) {
    if (!m || typeof m !== 'object') continue;
    const t = m as Partial<ChatTurn>;
    if ((t.role !== 'user' && t.role !== 'assistant') || typeof t.content !== 'string') continue;
    const turn: ChatTurn = { ...(t as ChatTurn), id: typeof t.id === 'string' ? t.id : newId(), createdAt: isNum(t.createdAt) ? t.createdAt! : row.createdAt };
    // Optional parts the page formats: kept only in the shape it expects (stored data is untrusted).
    if (turn.stats && !(isNum(turn.stats.completionTokens) && isNum(turn.stats.totalMs))) delete turn.stats;
    if (turn.context && !(isNum(turn.context.window) && isNum(turn.context.promptTokens) && isNum(turn.context.maxTokens))) delete turn.context;
    if (turn.error && typeof turn.error.message !== 'string') delete turn.error;
    if (turn.tokens && !(Array.isArray(turn.tokens) && turn.tokens.every((x) => x && typeof x.token === 'string' && typeof x.logprob === 'number'))) delete turn.tokens;
    if (turn.finishReason !== undefined && turn.finishReason !== null && typeof turn.finishReason !== 'string') delete turn.finishReason;
    if (turn.modelId !== undefined && typeof turn.modelId !== 'string') delete turn.modelId;
    messages.push(turn);
  }
  return {
    id: row.id,
    title: typeof row.title === 'string' && row.title ? row.title : 'New chat',
    modelId: typeof row.modelId === 'string' ? row.modelId : '',
    systemPrompt: typeof row.systemPrompt === 'string' ? row.systemPrompt : '',
    params,
    messages,
    createdAt: isNum(row.createdAt) ? row.createdAt : Date.now(),
    updatedAt: isNum(row.updatedAt) ? row.updatedAt : Date.now(),
  };
}

/**
 * Keeping a conversation inside the model's context window.
 *
 * A model reads at most `window` tokens: the prompt (system prompt + turns + chat-template
 * tokens) plus the reply it writes. TinyLM has 256. A chat grows by every turn, so after a few
 * turns the whole history no longer fits; the playground then sends only the newest turns that
 * do (always the system prompt and the message being answered) and says so. This module plans
 * one request: which turns go, how many tokens the prompt is, and how many are left for the
 * reply (sent as `max_tokens`, so a reply that runs into the window is recognisably cut by it).
 *
 * Token counts come from a `PromptCounter`: exact for TinyLM (the ChatML segments it encodes,
 * tokenized with its own tokenizer), an estimate elsewhere (the tokenizer is unknown or the
 * server applies its own template).
 */
import { renderChatMLSegments } from '../engine/chat-template';
import type { ChatMessage } from '../engine/types';
import { LabError } from '../errors';
import type { Conversation } from './conversation';

/** Counts the prompt tokens of one message and of the reply's opening. */
export interface PromptCounter {
  /** tokens one message adds to the prompt (template tokens included) */
  message(m: ChatMessage): Promise<number>;
  /** tokens after the last message that open the reply (ChatML: `<|im_start|>assistant\n`) */
  replyPrimer(): Promise<number>;
  /** false when the count is an estimate */
  readonly exact: boolean;
}

/** A tokenize function with a small memo (a chat re-counts the same turns on every send). */
function memo(tokenize: (text: string) => Promise<number[]>): (text: string) => Promise<number> {
  const cache = new Map<string, number>();
  return async (text) => {
    const hit = cache.get(text);
    if (hit !== undefined) return hit;
    const n = text ? (await tokenize(text)).length : 0;
    if (cache.size > 500) cache.delete(cache.keys().next().value!);
    cache.set(text, n);
    return n;
  };
}

/**
 * The exact count for TinyLM's ChatML template: every special token is one token and every text
 * segment is encoded on its own, as the engine does (`renderChatMLSegments`).
 */
export function chatMLCounter(tokenize: (text: string) => Promise<number[]>): PromptCounter {
  const count = memo(tokenize);
  const segments = async (msgs: ChatMessage[], addGenerationPrompt: boolean) => {
    let n = 0;
    for (const s of renderChatMLSegments(msgs, { addGenerationPrompt })) n += 'special' in s ? 1 : await count(s.text);
    return n;
  };
  return {
    message: (m) => segments([m], false),
    replyPrimer: () => segments([], true),
    exact: true,
  };
}

/**
 * An estimate for other engines: the text's tokens (with the model's tokenizer when the engine
 * exposes one, else about 4 characters per token) plus 4 per message for the template, plus 3
 * to open the reply (OpenAI's rule of thumb for chat formats).
 */
export function estimateCounter(tokenize?: (text: string) => Promise<number[]>): PromptCounter {
  const count = tokenize ? memo(tokenize) : async (text: string) => Math.ceil(text.length / 4);
  return {
    message: async (m) => 4 + (await count(typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''))),
    replyPrimer: async () => 3,
    exact: false,
  };
}

/** What one request used of the window; stored on the assistant turn for the meter and labels. */
export interface ContextUsage {
  /** the model's context window in tokens */
  window: number;
  /** prompt tokens: system + sent turns + template */
  promptTokens: number;
  systemTokens: number;
  /** tokens of the turns sent before the message being answered */
  historyTokens: number;
  /** tokens of the message being answered */
  messageTokens: number;
  /** max_tokens sent: the learner's max_tokens, or less when the window leaves less */
  maxTokens: number;
  /** the learner's max_tokens */
  requestedMaxTokens: number;
  /** earlier turns left out because they did not fit */
  droppedTurns: number;
  /** id of the first conversation turn sent (turns before it were left out) */
  firstTurnId?: string;
  /** false when the token counts are estimates */
  exact: boolean;
}

export interface ContextPlan {
  messages: ChatMessage[];
  usage: ContextUsage;
}

export interface PlanOptions {
  /** the model's context window; 0 or undefined = unknown (everything is sent) */
  window?: number;
  /** the learner's max_tokens */
  maxTokens: number;
  /** the reply gets at least this many tokens, or the request is refused (default 16) */
  minReply?: number;
  /** leave out this many more of the oldest turns than needed (after a server refused the prompt) */
  extraDrop?: number;
}

/**
 * Plans the request answering the user turn at `end - 1`: the system prompt and that turn always
 * go; earlier turns are added newest first while the prompt leaves room for a reply of
 * min(max_tokens, window / 2) tokens. Throws a 'context-window' LabError when even the system
 * prompt and the message leave fewer than `minReply` tokens.
 */
export async function planContext(
  conv: Pick<Conversation, 'systemPrompt' | 'messages'>,
  end: number,
  counter: PromptCounter,
  opts: PlanOptions,
): Promise<ContextPlan> {
  // Turns that are part of the dialogue (a failed reply with no text is not), with their index.
  const turns = conv.messages
    .slice(0, end)
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => !(t.role === 'assistant' && !t.content && t.error));
  const system: ChatMessage | null = conv.systemPrompt.trim() ? { role: 'system', content: conv.systemPrompt } : null;
  const toMsg = (t: (typeof turns)[number]['t']): ChatMessage => ({ role: t.role, content: t.content });
  const last = turns.at(-1);
  const systemTokens = system ? await counter.message(system) : 0;
  const primer = await counter.replyPrimer();
  const messageTokens = last ? await counter.message(toMsg(last.t)) : 0;
  const fixed = systemTokens + messageTokens + primer;
  const window = opts.window && opts.window > 0 ? opts.window : 0;
  const minReply = opts.minReply ?? 16;
  const requested = Math.max(1, opts.maxTokens);

  if (window && fixed + minReply > window) {
    throw new LabError(
      'context-window',
      `The system prompt (${systemTokens} tokens) and your message (${messageTokens} tokens) take ${fixed} of this model's ${window}-token context window, leaving no room for a reply.`,
      'Shorten your message or the system prompt, or choose a model with a larger window.',
    );
  }

  // Earlier turns, newest first, while they leave room for the reply we reserve.
  const reserve = window ? Math.min(requested, Math.floor(window / 2)) : 0;
  const history = turns.slice(0, -1);
  let kept = history.length;
  let historyTokens = 0;
  if (window) {
    kept = 0;
    for (let j = history.length - 1; j >= 0; j--) {
      const n = await counter.message(toMsg(history[j].t));
      if (fixed + historyTokens + n + reserve > window) break;
      historyTokens += n;
      kept++;
    }
  } else {
    for (const h of history) historyTokens += await counter.message(toMsg(h.t));
  }
  kept = Math.max(0, kept - (opts.extraDrop ?? 0));
  let sent = history.slice(history.length - kept);
  // Never open the sent history with a reply whose question was left out.
  while (sent.length && sent[0].t.role === 'assistant') sent = sent.slice(1);
  if (sent.length !== kept) {
    historyTokens = 0;
    for (const h of sent) historyTokens += await counter.message(toMsg(h.t));
  }
  const promptTokens = fixed + historyTokens;
  const maxTokens = window ? Math.max(1, Math.min(requested, window - promptTokens)) : requested;
  const firstSent = sent[0] ?? last;
  return {
    messages: [...(system ? [system] : []), ...sent.map((h) => toMsg(h.t)), ...(last ? [toMsg(last.t)] : [])],
    usage: {
      window,
      promptTokens,
      systemTokens,
      historyTokens,
      messageTokens,
      maxTokens,
      requestedMaxTokens: requested,
      droppedTurns: history.length - sent.length,
      firstTurnId: firstSent?.t.id,
      exact: counter.exact,
    },
  };
}

/** Whether a reply that stopped for length was cut by the context window rather than by max_tokens. */
export function cutByWindow(usage: ContextUsage | undefined, completionTokens: number | undefined): boolean {
  if (!usage || !usage.window) return false;
  return usage.maxTokens < usage.requestedMaxTokens || usage.promptTokens + (completionTokens ?? 0) >= usage.window;
}

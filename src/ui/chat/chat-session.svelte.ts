/**
 * The chat playground's state: the open conversation, the saved list, the reply being streamed,
 * and the actions (send, stop, regenerate, edit and resend, new/open/delete). The reply text
 * lives in its own small `$state` fields while it streams (updated once per animation frame by
 * `consumeStream`), so a fast stream never re-renders the whole conversation.
 */
import type { ChatCompletionChunk, ChatEngine, TokenLogprob } from '../../lib/engine/types';
import { rescuedIsNewer, type Rescue } from './rescue';
import { explainError, serializeError } from '../../lib/engine/errors';
import { LabError } from '../../lib/errors';
import {
  addAssistantTurn,
  addUserTurn,
  chatMLCounter,
  consumeStream,
  defaultParams,
  editUserTurn,
  estimateCounter,
  newConversation,
  planContext,
  requestFromParams,
  truncateForRegenerate,
  type ChatParams,
  type ChatTurn,
  type ContextUsage,
  type PromptCounter,
  type Conversation,
  type ConversationStore,
  type ConversationSummary,
  type FrameScheduler,
} from '../../lib/chat';

/** The engine and model id to answer with (resolved per reply, so switching models applies at once). */
export interface EngineHandle {
  engine: ChatEngine;
  modelId: string;
  /** the model's context window in tokens (undefined/0: unknown, the whole history is sent) */
  contextWindow?: number;
}

export interface ChatSessionOptions {
  /** null = nothing is saved (tests, or storage unavailable) */
  store: ConversationStore | null;
  getEngine(): Promise<EngineHandle>;
  scheduler?: FrameScheduler;
  onStorageError?(e: unknown): void;
  /** where `flush()` also puts a partial reply synchronously (the page may be closing) */
  rescue?: Rescue;
}

/** requestAnimationFrame as a FrameScheduler. */
export const rafScheduler: FrameScheduler = {
  request: (cb) => requestAnimationFrame(() => cb()),
  cancel: (h) => cancelAnimationFrame(h),
};

function clone(c: Conversation): Conversation {
  return { ...c, params: { ...c.params }, messages: [...c.messages] };
}

/** A copy of `c` with the turn `id` changed by `patch`. */
function withTurn(c: Conversation, id: string, patch: Partial<ChatTurn>): Conversation {
  const out = clone(c);
  const i = out.messages.findIndex((m) => m.id === id);
  if (i >= 0) out.messages[i] = { ...out.messages[i], ...patch };
  return out;
}

export class ChatSession {
  /** The open conversation; replaced (not mutated) on every change. */
  conversation = $state.raw<Conversation>(newConversation());
  /** Editable settings of the open conversation (deep state: bound to form controls). */
  params = $state<ChatParams>(defaultParams());
  systemPrompt = $state('You are a helpful assistant.');
  saved = $state.raw<ConversationSummary[]>([]);
  /** true from send until the reply is complete (model loading included) */
  streaming = $state(false);
  /** true while the engine/model is being loaded for a reply */
  loadingModel = $state(false);
  /** id of the assistant turn being streamed */
  liveTurnId = $state<string | null>(null);
  liveContent = $state('');
  liveTokens = $state.raw<TokenLogprob[]>([]);
  /** what the request being answered uses of the context window (set once it is planned) */
  liveContext = $state.raw<ContextUsage | null>(null);
  /** a problem not tied to one message (no engine, storage) */
  error = $state<string | null>(null);
  ready = $state(false);

  #opts: ChatSessionOptions;
  #abort: AbortController | null = null;
  #engine: ChatEngine | null = null;
  /** the conversation with the reply streamed so far (while a reply streams) */
  #partial: (() => Conversation) | null = null;
  #counter: { key: string; engine: ChatEngine; counter: PromptCounter } | null = null;
  #saving: Promise<void> = Promise.resolve();
  /** deleted conversations: a reply still finishing must not write them back */
  #removed = new Set<string>();

  constructor(opts: ChatSessionOptions) {
    this.#opts = opts;
  }

  /** Loads the saved list and reopens the most recent conversation. */
  async init(): Promise<void> {
    try {
      const store = this.#opts.store;
      if (store) {
        // A reply cut off by closing the page: its last state was put in the rescue.
        const rescued = this.#opts.rescue?.take();
        if (rescued && rescuedIsNewer(rescued, await store.get(rescued.id))) await store.save(rescued);
        this.saved = await store.list();
        const latest = await store.latest();
        if (latest) this.#setOpen(latest);
      }
    } catch (e) {
      this.#storageError(e);
    } finally {
      this.ready = true;
    }
  }

  /** Sends a user message and streams the reply. */
  async send(text: string): Promise<void> {
    const content = text.trim();
    if (!content || this.streaming) return;
    const c = this.#withSettings();
    addUserTurn(c, content);
    this.conversation = c;
    await this.#reply();
  }

  /** Drops an assistant reply (and what follows) and asks again. */
  async regenerate(turnId: string): Promise<void> {
    if (this.streaming) return;
    const c = this.#withSettings();
    if (!truncateForRegenerate(c, turnId)) return;
    this.conversation = c;
    await this.#reply();
  }

  /** Replaces a user message, drops everything after it and asks again. */
  async editAndResend(turnId: string, text: string): Promise<void> {
    if (this.streaming || !text.trim()) return;
    const c = this.#withSettings();
    if (!editUserTurn(c, turnId, text.trim())) return;
    this.conversation = c;
    await this.#reply();
  }

  /** Stops the reply in flight; the partial text is kept and marked as stopped. */
  stop(): void {
    this.#abort?.abort();
    void this.#engine?.interrupt().catch(() => {});
  }

  /** Starts an empty conversation (keeping the current settings). */
  newChat(): void {
    if (this.streaming) this.stop();
    this.conversation = newConversation({ modelId: this.conversation.modelId, systemPrompt: this.systemPrompt, params: $state.snapshot(this.params) });
  }

  /** Opens a saved conversation. */
  async open(id: string): Promise<void> {
    if (this.streaming) this.stop();
    try {
      const c = await this.#opts.store?.get(id);
      if (c) this.#setOpen(c);
    } catch (e) {
      this.#storageError(e);
    }
  }

  async remove(id: string): Promise<void> {
    this.#removed.add(id);
    if (this.streaming && this.conversation.id === id) this.stop();
    try {
      await this.#opts.store?.remove(id);
      this.saved = this.saved.filter((s) => s.id !== id);
      if (this.conversation.id === id) this.newChat();
    } catch (e) {
      this.#storageError(e);
    }
  }

  /** Adds an imported conversation, saves it and opens it. */
  async importConversation(c: Conversation): Promise<void> {
    this.#setOpen(c);
    await this.#save();
  }

  /** Saves setting changes (system prompt, parameters) of a conversation that has messages. */
  async saveSettings(): Promise<void> {
    if (!this.conversation.messages.length || this.streaming) return;
    this.conversation = this.#withSettings();
    await this.#save();
  }

  /** The conversation with the current settings applied (for exports). */
  snapshot(): Conversation {
    return this.#withSettings();
  }

  #setOpen(c: Conversation): void {
    this.conversation = c;
    this.params = { ...defaultParams(), ...c.params };
    this.systemPrompt = c.systemPrompt;
  }

  #withSettings(): Conversation {
    const c = clone(this.conversation);
    c.params = $state.snapshot(this.params) as ChatParams;
    c.systemPrompt = this.systemPrompt;
    return c;
  }

  /** Asks for a reply to a conversation whose last turn is an unanswered question (e.g. after a reload). */
  async answerPending(): Promise<void> {
    if (this.streaming || this.conversation.messages.at(-1)?.role !== 'user') return;
    this.conversation = this.#withSettings();
    await this.#reply();
  }

  /** Saves the open conversation now, with the partial reply (the page is being hidden or closed). */
  flush(): void {
    const p = this.#partial;
    // Not queued behind other saves: the page may be gone before they run.
    if (!p) return;
    const c = p();
    this.#opts.rescue?.write(c);
    if (this.#opts.store) void this.#opts.store.save(c).catch(() => {});
  }

  async #reply(): Promise<void> {
    this.error = null;
    // The question is stored at once: a reload or New chat while the model loads loses nothing.
    void this.#save();
    // Busy from here: the model may still be loading (a first WebLLM download takes minutes).
    const abort = new AbortController();
    this.#abort = abort;
    this.streaming = true;
    this.loadingModel = true;
    let handle: EngineHandle;
    try {
      handle = await this.#opts.getEngine();
    } catch (e) {
      this.error = explainError(e);
      this.streaming = this.loadingModel = false;
      this.#abort = null;
      return;
    }
    this.loadingModel = false;
    if (abort.signal.aborted) {
      // Stopped while the model loaded: keep the question, ask nothing.
      this.streaming = false;
      this.#abort = null;
      return;
    }
    this.#engine = handle.engine;
    // The conversation this reply belongs to: kept even if the learner opens another one meanwhile.
    const target = clone(this.conversation);
    target.modelId = handle.modelId;
    const end = target.messages.length;
    const turn = addAssistantTurn(target, handle.modelId);
    this.conversation = target;
    this.liveTurnId = turn.id;
    this.liveContent = '';
    this.liveTokens = [];
    const params = target.params;
    const startedAt = performance.now();
    let partial = '';
    this.#partial = () => withTurn(target, turn.id, { content: partial });
    let lastSave = -Infinity; // the first piece is stored at once, then every 250 ms (less often for long replies)
    let final: Partial<ChatTurn>;
    let context: ContextUsage | undefined;
    try {
      let stream: AsyncIterable<ChatCompletionChunk> | undefined;
      // A server that refuses the prompt as too long gets it again with older turns left out.
      for (let extraDrop = 0; !stream; extraDrop++) {
        const plan = await planContext(target, end, this.#counterFor(handle), { window: handle.contextWindow, maxTokens: requestFromParams(params).max_tokens ?? 256, extraDrop });
        context = plan.usage;
        this.liveContext = context;
        try {
          stream = await handle.engine.chat.completions.create({
            ...requestFromParams(params),
            max_tokens: plan.usage.maxTokens,
            model: handle.modelId || undefined,
            messages: plan.messages,
            stream: true,
            signal: abort.signal,
          });
        } catch (e) {
          const retry = e instanceof LabError && e.code === 'context-window' && plan.messages.length > 2 && extraDrop < 8;
          if (!retry) throw e;
        }
      }
      const res = await consumeStream(stream, {
        scheduler: this.#opts.scheduler ?? rafScheduler,
        signal: abort.signal,
        startedAt,
        onUpdate: (s) => {
          partial = s.content;
          this.liveContent = s.content;
          if (params.logprobs) this.liveTokens = s.tokens.slice();
          // The partial reply is stored as it streams (less often for very long replies).
          const t = performance.now();
          if (s.content && t - lastSave > Math.max(250, s.content.length / 2000)) {
            lastSave = t;
            void this.#saveConv(withTurn(target, turn.id, { content: s.content }), false);
          }
        },
      });
      final = {
        content: res.content,
        stats: res.stats,
        finishReason: res.finishReason,
        tokens: params.logprobs && res.tokens.length ? res.tokens : undefined,
        error: res.error ? serializeError(res.error) : undefined,
      };
    } catch (e) {
      final = { content: partial, finishReason: abort.signal.aborted ? 'abort' : null, error: abort.signal.aborted ? undefined : serializeError(e) };
    }
    if (context) final.context = context;
    this.#partial = null;
    this.liveContext = null;
    const done = withTurn(target, turn.id, final);
    done.updatedAt = Date.now();
    if (this.conversation.id === done.id) this.conversation = done;
    this.streaming = false;
    this.liveTurnId = null;
    this.#abort = null;
    await this.#saveConv(done);
  }

  /** Exact token counts for TinyLM (its own tokenizer and template), estimates for other engines. */
  #counterFor(h: EngineHandle): PromptCounter {
    const key = `${h.engine.kind}:${h.modelId}`;
    if (this.#counter?.key !== key || this.#counter.engine !== h.engine) {
      const tokenize = h.engine.tokenize ? (t: string) => h.engine.tokenize!(t) : undefined;
      const counter = h.engine.kind === 'tinylm' && tokenize ? chatMLCounter(tokenize) : estimateCounter(h.engine.kind === 'remote' ? undefined : tokenize);
      this.#counter = { key, engine: h.engine, counter };
    }
    return this.#counter.counter;
  }

  async #save(): Promise<void> {
    await this.#saveConv(this.conversation);
  }

  /**
   * Saves one conversation; saves run one after another, in the order they were asked for.
   * `relist` re-reads the sidebar's list (skipped for the partial saves while a reply streams).
   */
  #saveConv(c: Conversation, relist = true): Promise<void> {
    const store = this.#opts.store;
    if (!store) return Promise.resolve();
    const run = async () => {
      if (this.#removed.has(c.id)) return;
      try {
        await store.save(c);
        if (relist) this.saved = await store.list();
      } catch (e) {
        this.#storageError(e);
      }
    };
    this.#saving = this.#saving.then(run, run);
    return this.#saving;
  }

  #storageError(e: unknown): void {
    if (this.#opts.onStorageError) this.#opts.onStorageError(e);
    else this.error = `Saving failed: ${explainError(e)}`;
  }
}

/**
 * The chat playground's state: the open conversation, the saved list, the reply being streamed,
 * and the actions (send, stop, regenerate, edit and resend, new/open/delete). The reply text
 * lives in its own small `$state` fields while it streams (updated once per animation frame by
 * `consumeStream`), so a fast stream never re-renders the whole conversation.
 */
import type { ChatEngine, TokenLogprob } from '../../lib/engine/types';
import { explainError, serializeError } from '../../lib/engine/errors';
import {
  addAssistantTurn,
  addUserTurn,
  consumeStream,
  defaultParams,
  editUserTurn,
  newConversation,
  requestFromParams,
  toRequestMessages,
  truncateForRegenerate,
  type ChatParams,
  type Conversation,
  type ConversationStore,
  type ConversationSummary,
  type FrameScheduler,
} from '../../lib/chat';

/** The engine and model id to answer with (resolved per reply, so switching models applies at once). */
export interface EngineHandle {
  engine: ChatEngine;
  modelId: string;
}

export interface ChatSessionOptions {
  /** null = nothing is saved (tests, or storage unavailable) */
  store: ConversationStore | null;
  getEngine(): Promise<EngineHandle>;
  scheduler?: FrameScheduler;
  onStorageError?(e: unknown): void;
}

/** requestAnimationFrame as a FrameScheduler. */
export const rafScheduler: FrameScheduler = {
  request: (cb) => requestAnimationFrame(() => cb()),
  cancel: (h) => cancelAnimationFrame(h),
};

function clone(c: Conversation): Conversation {
  return { ...c, params: { ...c.params }, messages: [...c.messages] };
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
  /** a problem not tied to one message (no engine, storage) */
  error = $state<string | null>(null);
  ready = $state(false);

  #opts: ChatSessionOptions;
  #abort: AbortController | null = null;
  #engine: ChatEngine | null = null;

  constructor(opts: ChatSessionOptions) {
    this.#opts = opts;
  }

  /** Loads the saved list and reopens the most recent conversation. */
  async init(): Promise<void> {
    try {
      const store = this.#opts.store;
      if (store) {
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

  async #reply(): Promise<void> {
    this.error = null;
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
      await this.#save();
      return;
    }
    this.loadingModel = false;
    if (abort.signal.aborted) {
      // Stopped while the model loaded: keep the question, ask nothing.
      this.streaming = false;
      this.#abort = null;
      await this.#save();
      return;
    }
    this.#engine = handle.engine;
    const c = clone(this.conversation);
    c.modelId = handle.modelId;
    const end = c.messages.length;
    const turn = addAssistantTurn(c, handle.modelId);
    this.conversation = c;
    this.liveTurnId = turn.id;
    this.liveContent = '';
    this.liveTokens = [];
    const params = c.params;
    const startedAt = performance.now();
    let final: Partial<typeof turn>;
    try {
      const stream = await handle.engine.chat.completions.create({
        ...requestFromParams(params),
        model: handle.modelId || undefined,
        messages: toRequestMessages(c, end),
        stream: true,
        signal: abort.signal,
      });
      const res = await consumeStream(stream, {
        scheduler: this.#opts.scheduler ?? rafScheduler,
        signal: abort.signal,
        startedAt,
        onUpdate: (s) => {
          this.liveContent = s.content;
          if (params.logprobs) this.liveTokens = s.tokens.slice();
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
      final = { content: '', finishReason: abort.signal.aborted ? 'abort' : null, error: abort.signal.aborted ? undefined : serializeError(e) };
    }
    const done = clone(this.conversation);
    const i = done.messages.findIndex((m) => m.id === turn.id);
    if (i >= 0) done.messages[i] = { ...done.messages[i], ...final };
    done.updatedAt = Date.now();
    this.conversation = done;
    this.streaming = false;
    this.liveTurnId = null;
    this.#abort = null;
    await this.#save();
  }

  async #save(): Promise<void> {
    const store = this.#opts.store;
    if (!store) return;
    try {
      await store.save(this.conversation);
      this.saved = await store.list();
    } catch (e) {
      this.#storageError(e);
    }
  }

  #storageError(e: unknown): void {
    if (this.#opts.onStorageError) this.#opts.onStorageError(e);
    else this.error = `Saving failed: ${explainError(e)}`;
  }
}

/**
 * Lab 1.3.b: conversation memory with LangChain's `RunnableWithMessageHistory`, the history
 * kept in IndexedDB (the `conversations` table, ids prefixed `lc-memory:` so the chat playground
 * never lists them), and four ways to choose what of it goes into each prompt:
 *
 *   buffer   every past message (grows until it no longer fits the window)
 *   last-k   the last k turns (a turn = one human + one AI message)
 *   trim     LangChain's `trimMessages`: the newest messages that fit a token budget, counted
 *            with the model's own tokenizer; budget = window − max_tokens − the rest of the prompt
 *   summary  a running summary the model rewrites after every turn, plus the last turn
 *   none     no memory (the baseline)
 *
 * Two prompt styles: 'messages' (system + history messages + the new human message — what chat
 * models are trained on) and 'context' (TinyLM's trained format: the remembered user messages
 * become the `Context:` of a `Context: … Question: …` turn, since TinyLM was fine-tuned on
 * single-turn examples only).
 */
import { BaseListChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, HumanMessage, SystemMessage, mapChatMessagesToStoredMessages, mapStoredMessagesToChatMessages, trimMessages, type BaseMessage, type StoredMessage } from '@langchain/core/messages';
import { RunnableLambda, RunnableWithMessageHistory, type RunnableConfig } from '@langchain/core/runnables';
import { LabError } from '../errors';
import type { ConversationRow, LabDB } from '../storage/db';
import { guardQuota, isQuotaError } from '../storage/errors';
import type { EngineChatModel } from './chat-model';

export type MemoryStrategy = 'none' | 'buffer' | 'last-k' | 'trim' | 'summary';
export type PromptStyle = 'context' | 'messages';

export const MEMORY_PREFIX = 'lc-memory:';
/** Largest stored history (serialised JSON) before we refuse to grow it: far below any browser quota. */
export const MAX_HISTORY_BYTES = 200_000;

/** A chat history in the `conversations` table (one row per session). */
export class IndexedDBChatHistory extends BaseListChatMessageHistory {
  lc_namespace = ['llm-lab', 'memory'];
  constructor(
    private readonly db: Pick<LabDB, 'conversations'>,
    readonly sessionId: string,
    private readonly maxBytes = MAX_HISTORY_BYTES,
  ) {
    super();
  }
  get rowId() {
    return MEMORY_PREFIX + this.sessionId;
  }
  private async row(): Promise<ConversationRow | undefined> {
    return this.db.conversations.get(this.rowId);
  }
  async getMessages(): Promise<BaseMessage[]> {
    const row = await this.row();
    return row ? mapStoredMessagesToChatMessages(row.messages as StoredMessage[]) : [];
  }
  async addMessage(message: BaseMessage): Promise<void> {
    await this.addMessages([message]);
  }
  /** Appends in one write; a history that would outgrow the limit or the quota is left as it was. */
  override async addMessages(messages: BaseMessage[]): Promise<void> {
    const row = await this.row();
    const now = Date.now();
    const next: ConversationRow = row
      ? { ...row, messages: [...row.messages, ...mapChatMessagesToStoredMessages(messages)], updatedAt: now }
      : { id: this.rowId, title: `Memory lab: ${this.sessionId}`, modelId: '', messages: mapChatMessagesToStoredMessages(messages), createdAt: now, updatedAt: now };
    const bytes = JSON.stringify(next.messages).length;
    if (bytes > this.maxBytes) {
      throw new LabError('too-large', `This conversation's history would be ${Math.round(bytes / 1000)} kB, over the ${Math.round(this.maxBytes / 1000)} kB the lab stores.`, 'Clear the conversation to start a new one; the turns so far are kept until you do.');
    }
    try {
      await guardQuota(() => this.db.conversations.put(next));
    } catch (e) {
      if (isQuotaError(e)) throw new LabError('quota', 'Browser storage is full: this turn was not saved.', 'Free space on the Storage page, or clear this conversation; the turns so far are kept.', { cause: e });
      throw e;
    }
  }
  /** The running summary (summary strategy), stored on the same row. */
  async getSummary(): Promise<string> {
    return String((await this.row())?.params?.summary ?? '');
  }
  async setSummary(summary: string): Promise<void> {
    const row = await this.row();
    if (row) await guardQuota(() => this.db.conversations.put({ ...row, params: { ...row.params, summary } }));
  }
  override async clear(): Promise<void> {
    await this.db.conversations.delete(this.rowId);
  }
}

export interface MemoryOptions {
  strategy: MemoryStrategy;
  style: PromptStyle;
  /** turns kept by last-k */
  k: number;
  /** system message (empty = none) */
  system: string;
  /** the model's context window and the reply budget: trim keeps prompt ≤ window − maxTokens */
  window: number;
  maxTokens: number;
  temperature: number;
  seed: number;
}

/** Counts tokens with the engine's tokenizer (exact for TinyLM), or ~4 characters per token. */
export type TokenCounter = (text: string) => Promise<number>;

/** The ChatML overhead per message (`<|im_start|>role\n` … `<|im_end|>\n`): 5 tokens in TinyLM's tokenizer. */
const PER_MESSAGE = 5;

/** The messages sent for one turn, given the memory selected from the history. */
export function promptMessages(memory: BaseMessage[], input: string, opts: Pick<MemoryOptions, 'style' | 'system'>, summary = ''): BaseMessage[] {
  const out: BaseMessage[] = [];
  if (opts.style === 'context') {
    // TinyLM: what the user said before becomes the context of a QA turn.
    const said = [summary, ...memory.filter((m) => m.type === 'human').map((m) => m.text)].filter((t) => t.trim()).join(' ');
    if (opts.system.trim()) out.push(new SystemMessage(opts.system));
    out.push(new HumanMessage(said ? `Context: ${said}\nQuestion: ${input}` : input));
    return out;
  }
  const system = [opts.system.trim(), summary ? `Summary of the conversation so far: ${summary}` : ''].filter(Boolean).join('\n');
  if (system) out.push(new SystemMessage(system));
  return [...out, ...memory, new HumanMessage(input)];
}

/** What of the history goes into the prompt under each strategy. */
export async function selectMemory(history: BaseMessage[], input: string, opts: MemoryOptions, count: TokenCounter): Promise<BaseMessage[]> {
  switch (opts.strategy) {
    case 'none':
      return [];
    case 'buffer':
      return history;
    case 'last-k':
      return opts.k > 0 ? history.slice(-2 * opts.k) : [];
    case 'summary':
      // the summary carries the older turns; the last turn is kept verbatim
      return history.slice(-2);
    case 'trim': {
      const base = await countMessages(promptMessages([], input, opts), opts.style, count);
      const budget = opts.window - opts.maxTokens - base - 2;
      if (budget <= 0) return [];
      return trimMessages(history, {
        maxTokens: budget,
        strategy: 'last',
        startOn: 'human',
        tokenCounter: (msgs: BaseMessage[]) => countMessages(msgs, opts.style, count, true),
      });
    }
  }
}

/** Tokens of messages as they will be rendered (in 'context' style only human texts appear, joined). */
async function countMessages(msgs: BaseMessage[], style: PromptStyle, count: TokenCounter, asMemory = false): Promise<number> {
  if (style === 'context' && asMemory) {
    let n = 0;
    for (const m of msgs) if (m.type === 'human') n += (await count(m.text)) + 1;
    return n;
  }
  let n = 0;
  for (const m of msgs) n += (await count(m.text)) + PER_MESSAGE;
  return n + 3; // the opened assistant turn
}

export interface TurnRecord {
  input: string;
  reply: string;
  /** the messages sent, as "[role] text" lines */
  prompt: string;
  promptTokens: number;
  /** history messages stored before this turn, and how many of them the prompt used */
  stored: number;
  used: number;
  summary?: string;
  error?: LabError;
}

/**
 * A conversation with one memory strategy: `RunnableWithMessageHistory` over an IndexedDB history;
 * the chain inside selects memory, builds the prompt and calls the model.
 */
export class MemoryConversation {
  readonly history: IndexedDBChatHistory;
  constructor(
    db: Pick<LabDB, 'conversations'>,
    sessionId: string,
    private readonly model: EngineChatModel,
    private readonly count: TokenCounter,
    maxBytes = MAX_HISTORY_BYTES,
  ) {
    this.history = new IndexedDBChatHistory(db, sessionId, maxBytes);
  }

  /** Sends one user message; the reply and the user message are appended to the stored history. */
  async turn(input: string, opts: MemoryOptions, config: RunnableConfig = {}): Promise<TurnRecord> {
    if (!input.trim()) throw new LabError('bad-input', 'The message is empty.', 'Type something to say.');
    let record: Omit<TurnRecord, 'reply'> = { input, prompt: '', promptTokens: 0, stored: 0, used: 0 };
    const summary = opts.strategy === 'summary' ? await this.history.getSummary() : '';
    const chain = RunnableLambda.from(async (x: { input: string; history: BaseMessage[] }) => {
      const memory = await selectMemory(x.history, x.input, opts, this.count);
      const messages = promptMessages(memory, x.input, opts, summary);
      record = { ...record, prompt: messages.map((m) => `[${m.type}] ${m.text}`).join('\n'), stored: x.history.length, used: memory.length };
      return messages;
    })
      .withConfig({ runName: `SelectMemory (${opts.strategy})` })
      .pipe(this.model.withConfig({ temperature: opts.temperature, maxTokens: opts.maxTokens, seed: opts.seed } as RunnableConfig));
    const withHistory = new RunnableWithMessageHistory({
      runnable: chain,
      getMessageHistory: async () => this.history,
      inputMessagesKey: 'input',
      historyMessagesKey: 'history',
    });
    const reply = (await withHistory.invoke({ input } as never, { ...config, configurable: { sessionId: this.history.sessionId } })) as AIMessage;
    const out: TurnRecord = { ...record, reply: reply.text, promptTokens: reply.usage_metadata?.input_tokens ?? 0 };
    if (opts.strategy === 'summary') {
      out.summary = await this.summarize(summary, input, reply.text, opts, config);
      await this.history.setSummary(out.summary);
    }
    return out;
  }

  /**
   * The model rewrites the running summary with the newest turn. A chat model writes prose; TinyLM
   * cannot summarise, so in 'context' style it keeps a fact sheet instead: it extracts
   * {"name", "city", "job"} from the previous summary plus the new message (its trained JSON skill,
   * with constrained decoding), and the sheet is written back as the sentences it reads best.
   */
  private async summarize(previous: string, input: string, reply: string, opts: MemoryOptions, config: RunnableConfig): Promise<string> {
    if (opts.style === 'context') {
      const ask = `Return JSON with the keys "name" (string), "city" (string), "job" (string).\nText: ${[previous, input].filter(Boolean).join(' ')}`;
      const schema = { type: 'object', properties: { name: { type: 'string', maxLength: 24 }, city: { type: 'string', maxLength: 24 }, job: { type: 'string', maxLength: 24 } }, required: ['name', 'city', 'job'], additionalProperties: false };
      const r = await this.model
        .withConfig({ runName: 'Summarize (fact sheet)', temperature: 0, maxTokens: 48, response_format: { type: 'json_schema', json_schema: { name: 'facts', schema } } } as RunnableConfig)
        .invoke([new HumanMessage(await this.fit(ask, opts.window - 60))], config);
      const f = JSON.parse(r.text) as { name: string; city: string; job: string };
      return factSentences(f);
    }
    const ask = `Update the summary of this conversation in at most three sentences. Keep names, places and numbers.\nSummary so far: ${previous || '(none)'}\nUser: ${input}\nAssistant: ${reply}`;
    const budget = Math.max(16, Math.min(96, Math.floor(opts.window / 3)));
    const r = await this.model.withConfig({ runName: 'Summarize', temperature: 0, maxTokens: budget } as RunnableConfig).invoke([new HumanMessage(await this.fit(ask, opts.window - budget - 12))], config);
    return r.text.trim();
  }

  /** Shortens a request from the middle until it fits `limit` tokens. */
  private async fit(text: string, limit: number): Promise<string> {
    while ((await this.count(text)) > limit && text.length > 80) text = text.slice(0, 60) + text.slice(60 + Math.ceil((text.length - 60) / 4));
    return text;
  }
}

/** A fact sheet as the sentences TinyLM was trained to read (empty values are left out). */
export function factSentences(f: { name: string; city: string; job: string }): string {
  const name = f.name.trim();
  if (!name) return '';
  return [f.city.trim() ? `${name} lives in ${f.city.trim()}.` : '', f.job.trim() ? `${name} works as a ${f.job.trim()}.` : ''].filter(Boolean).join(' ');
}

/** A token counter over the engine's tokenizer when it has one (TinyLM), else ~4 characters per token. */
export function engineCounter(tokenize?: (text: string) => Promise<number[]>): TokenCounter {
  if (!tokenize) return async (t) => Math.ceil(t.length / 4);
  return async (t) => (t ? (await tokenize(t)).length : 0);
}

/**
 * The scripted conversation: a fact in turn 1, eight turns of small talk (TinyLM's trained chit-chat),
 * and the question in turn 10. Measured by `npm run langchain:eval` (src/lib/langchain/eval-results.json).
 */
export const MEMORY_SCRIPT = ['Mosan lives in Dakar.', 'Hi!', 'How are you?', 'What can you do?', 'Thank you!', 'Tell me a short story about Lily.', 'Can you help me?', 'Are you a person?', 'Thanks a lot.', 'Where does Mosan live?'];
/** The answer the last scripted turn needs (from turn 1). */
export const MEMORY_SCRIPT_ANSWER = 'Dakar';

/**
 * The memory lab's state: one `MemoryConversation` per strategy over the same IndexedDB table,
 * fed the same user messages in turn, with each turn's record (prompt, tokens, reply, error).
 */
import { EngineChatModel, type EngineProvider } from '../../lib/langchain/chat-model';
import { MemoryConversation, MEMORY_SCRIPT, engineCounter, type MemoryOptions, type MemoryStrategy, type TurnRecord } from '../../lib/langchain/memory';
import { asLabError, isAbort, LabError } from '../../lib/errors';
import type { LabDB } from '../../lib/storage/db';

export const STRATEGIES: Array<{ id: MemoryStrategy; title: string; note: string }> = [
  { id: 'none', title: 'No memory', note: 'each turn alone: the baseline' },
  { id: 'buffer', title: 'Whole buffer', note: 'every past message' },
  { id: 'last-k', title: 'Last k turns', note: 'a sliding window of turns' },
  { id: 'trim', title: 'Token budget (trimMessages)', note: 'newest messages that fit, counted by the tokenizer' },
  { id: 'summary', title: 'Running summary', note: 'the model rewrites a summary each turn' },
];

export interface Column {
  turns: Array<TurnRecord | { input: string; error: LabError }>;
  summary: string;
}

export class MemoryLab {
  running = $state(false);
  columns = $state.raw<Record<MemoryStrategy, Column>>(empty());
  error = $state<LabError | null>(null);
  modelId = $state('');
  #convs = new Map<MemoryStrategy, MemoryConversation>();
  #model: EngineChatModel;
  #abort: AbortController | null = null;
  #stopped = false;

  constructor(
    private readonly db: Pick<LabDB, 'conversations'>,
    private readonly provider: () => ReturnType<Extract<EngineProvider, () => unknown>>,
  ) {
    this.#model = new EngineChatModel({ engine: provider });
  }

  private async conv(id: MemoryStrategy): Promise<MemoryConversation> {
    let c = this.#convs.get(id);
    if (!c) {
      // Counts with the tokenizer of whichever model is current at each turn (the picker may change it).
      const count = async (t: string) => {
        const { engine } = await this.provider();
        return engineCounter(engine.tokenize?.bind(engine))(t);
      };
      c = new MemoryConversation(this.db, id, this.#model, count);
      this.#convs.set(id, c);
    }
    return c;
  }

  /** Loads what is stored (a reload keeps the conversation; replies are not stored per strategy view). */
  async restore(): Promise<number> {
    let n = 0;
    for (const s of STRATEGIES) n = Math.max(n, (await (await this.conv(s.id)).history.getMessages()).length);
    return n / 2;
  }

  /** Sends one message to every strategy in turn; a failure in one column does not stop the others. */
  async send(text: string, opts: Omit<MemoryOptions, 'strategy'>): Promise<void> {
    if (!text.trim()) {
      this.error = new LabError('bad-input', 'The message is empty.', 'Type something to say.');
      return;
    }
    const ctl = (this.#abort = new AbortController());
    this.running = true;
    this.error = null;
    try {
      for (const s of STRATEGIES) {
        if (ctl.signal.aborted) break;
        const col = this.columns[s.id];
        let rec: Column['turns'][number];
        let summary = col.summary;
        try {
          const r = await (await this.conv(s.id)).turn(text, { ...opts, strategy: s.id }, { signal: ctl.signal });
          rec = r;
          if (r.summary !== undefined) summary = r.summary;
        } catch (e) {
          if (isAbort(e)) break;
          rec = { input: text, error: asLabError(e) };
        }
        this.columns = { ...this.columns, [s.id]: { turns: [...col.turns, rec], summary } };
      }
      this.modelId = this.#model.lastModelId;
    } finally {
      this.running = false;
      if (this.#abort === ctl) this.#abort = null;
    }
  }

  /** Plays the 10-turn scripted conversation (fact in turn 1, question in turn 10). */
  async playScript(opts: Omit<MemoryOptions, 'strategy'>): Promise<void> {
    await this.clear();
    this.#stopped = false;
    for (const t of MEMORY_SCRIPT) {
      if (this.#stopped) break;
      await this.send(t, opts);
    }
  }

  stop() {
    this.#stopped = true;
    this.#abort?.abort();
  }

  /** Deletes every strategy's stored history. */
  async clear(): Promise<void> {
    for (const s of STRATEGIES) await (await this.conv(s.id)).history.clear();
    this.columns = empty();
    this.error = null;
  }

  get turnCount(): number {
    return Math.max(...Object.values(this.columns).map((c) => c.turns.length));
  }
}

function empty(): Record<MemoryStrategy, Column> {
  return Object.fromEntries(STRATEGIES.map((s) => [s.id, { turns: [], summary: '' }])) as unknown as Record<MemoryStrategy, Column>;
}

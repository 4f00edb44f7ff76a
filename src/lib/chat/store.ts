/**
 * Saving and loading conversations in the `conversations` table of the lab's IndexedDB.
 * Takes the table, not a global db, so tests pass a fake-indexeddb instance.
 */
import type { LabDB } from '../storage/db';
import { fromRow, toRow, type Conversation } from './conversation';

/** What the sidebar lists: no messages, so listing stays cheap. */
export interface ConversationSummary {
  id: string;
  title: string;
  modelId: string;
  updatedAt: number;
  turns: number;
}

/**
 * Rows whose id starts with this belong to a lab, not to the chat playground (the LangChain memory
 * lab keeps its histories as `lc-memory:<session>`): the playground neither lists nor reopens them.
 */
export const LAB_CONVERSATION_PREFIX = 'lc-';

const isPlayground = (r: { id: string }) => !r.id.startsWith(LAB_CONVERSATION_PREFIX);

/** Conversation persistence over `db.conversations`. */
export class ConversationStore {
  constructor(private readonly db: Pick<LabDB, 'conversations'>) {}

  /** All conversations, most recently updated first. */
  async list(): Promise<ConversationSummary[]> {
    const rows = (await this.db.conversations.orderBy('updatedAt').reverse().toArray()).filter(isPlayground);
    return rows.map((r) => ({ id: r.id, title: r.title, modelId: r.modelId, updatedAt: r.updatedAt, turns: r.messages?.length ?? 0 }));
  }

  /** One conversation, or undefined. */
  async get(id: string): Promise<Conversation | undefined> {
    const row = await this.db.conversations.get(id);
    return row ? fromRow(row) : undefined;
  }

  /** Inserts or replaces. */
  async save(conv: Conversation): Promise<void> {
    await this.db.conversations.put(toRow(conv));
  }

  async remove(id: string): Promise<void> {
    await this.db.conversations.delete(id);
  }

  /** The most recently updated conversation, if any. */
  async latest(): Promise<Conversation | undefined> {
    const row = await this.db.conversations.orderBy('updatedAt').reverse().filter(isPlayground).first();
    return row ? fromRow(row) : undefined;
  }
}

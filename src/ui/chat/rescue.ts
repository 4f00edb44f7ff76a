/**
 * The last resort for a reply streaming when the page is closed or reloaded: IndexedDB writes
 * started in `pagehide` may never finish, but localStorage writes are synchronous. The partial
 * conversation is put there (when it is small enough) and merged back on the next start.
 */
import { fromRow, toRow, type Conversation } from '../../lib/chat/conversation';
import type { ConversationRow } from '../../lib/storage/db';

export interface Rescue {
  /** Keeps `c` synchronously (best effort). */
  write(c: Conversation): void;
  /** The kept conversation, removed from the rescue (null when none). */
  take(): Conversation | null;
}

const KEY = 'llm-lab:chat-rescue';
/** Larger partial replies are not put in localStorage (its quota is a few MB). */
const MAX_CHARS = 1_000_000;

/** A Rescue in localStorage (a no-op where it is unavailable). */
export function localStorageRescue(storage: Storage | undefined = globalThis.localStorage): Rescue {
  return {
    write(c) {
      try {
        const text = JSON.stringify(toRow(c));
        if (text.length <= MAX_CHARS) storage?.setItem(KEY, text);
      } catch {
        // quota or privacy mode: IndexedDB's periodic saves still hold most of the reply
      }
    },
    take() {
      try {
        const text = storage?.getItem(KEY);
        if (!text) return null;
        storage?.removeItem(KEY);
        const row = JSON.parse(text) as ConversationRow;
        return row && typeof row.id === 'string' ? fromRow(row) : null;
      } catch {
        return null;
      }
    },
  };
}

/** Whether `rescued` holds more of the conversation than `stored` (more turns, or a longer last turn). */
export function rescuedIsNewer(rescued: Conversation, stored: Conversation | undefined): boolean {
  if (!stored) return true;
  if (rescued.messages.length !== stored.messages.length) return rescued.messages.length > stored.messages.length;
  const a = rescued.messages.at(-1);
  const b = stored.messages.at(-1);
  return !!a && !!b && a.id === b.id && a.content.length > b.content.length && b.finishReason == null;
}

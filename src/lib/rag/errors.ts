/**
 * Errors of the RAG library, each with a machine-readable code and a next step in plain words.
 * They cross the worker boundary as data through `serializeError`/`deserializeError` of the
 * engine module (name 'RagError' is rebuilt by `ragErrorFromData`).
 */
import type { SerializedError } from '../engine/errors';

export type RagErrorCode =
  | 'empty'
  | 'too-large'
  | 'binary'
  | 'encoding'
  | 'unsupported'
  | 'pdf-corrupt'
  | 'pdf-encrypted'
  | 'pdf-no-text'
  | 'duplicate'
  | 'quota'
  | 'embedder-mismatch'
  | 'aborted'
  | 'bad-format';

/** A failure the learner can act on (bad file, full storage, duplicate …). */
export class RagError extends Error {
  override readonly name = 'RagError';
  constructor(
    readonly code: RagErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Serialises a RagError (or anything) for postMessage. */
export function ragErrorToData(err: unknown): SerializedError {
  if (err instanceof RagError) return { name: 'RagError', code: err.code, message: err.message, hint: err.hint };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: typeof err === 'string' ? err : 'Unknown error' };
}

/** Rebuilds a RagError from data (other errors come back as plain Errors with their name). */
export function ragErrorFromData(data: SerializedError): Error {
  if (data.name === 'RagError' && data.code) return new RagError(data.code as RagErrorCode, data.message, data.hint);
  const e = new Error(data.message);
  e.name = data.name;
  return e;
}

/** True for IndexedDB / storage quota failures, whatever wrapper (dexie, DOMException) carries them. */
export function isQuotaError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const name = (e as { name?: string }).name;
    if (name === 'QuotaExceededError') return true;
    e = (e as { inner?: unknown; cause?: unknown }).inner ?? (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Errors of the RAG library, each with a machine-readable code and a next step in plain words.
 * They cross the worker boundary as data through `serializeError`/`deserializeError` of the
 * engine module (name 'RagError' is rebuilt by `ragErrorFromData`).
 */

import { LabError, toErrorData, fromErrorData, type ErrorData, type LabErrorCode } from '../errors';

export type RagErrorCode = Extract<
  LabErrorCode,
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
  | 'bad-format'
>;

/** A failure the learner can act on (bad file, full storage, duplicate …): the lab's one error type. */
export class RagError extends LabError {
  override name = 'RagError';
  constructor(code: RagErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(code, message, hint, options);
  }
}

/** Serialises a RagError (or anything) for postMessage. */
export const ragErrorToData = (err: unknown): ErrorData => toErrorData(err);

/** Rebuilds a RagError from data (other errors come back as plain Errors with their name). */
export function ragErrorFromData(data: ErrorData): Error {
  const e = fromErrorData(data);
  if (e instanceof LabError && data.name === 'RagError') return new RagError(e.code as RagErrorCode, e.message, e.hint);
  return e;
}

/** True for IndexedDB / storage quota and full-disk failures (one definition, in the storage module). */
export { isQuotaError } from '../storage/errors';

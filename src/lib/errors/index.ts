/**
 * The one error type of the lab: a machine-readable code, a message, and a next step in plain
 * words. It crosses worker boundaries as data (`toErrorData` / `fromErrorData`, through
 * structured clone or JSON) and is shown by the shared `ui/ErrorNotice.svelte` component.
 *
 * `EngineError` (src/lib/engine/errors.ts) and `RagError` (src/lib/rag/errors.ts) are this class
 * under their historical names, so `instanceof LabError` holds for every typed failure.
 */

export type LabErrorCode =
  // engines
  | 'no-webgpu'
  | 'no-shader-f16'
  | 'model-too-large'
  | 'device-lost'
  | 'network'
  | 'not-cached'
  | 'context-window'
  | 'model-not-found'
  | 'auth'
  | 'cors'
  | 'unreachable'
  | 'timeout'
  | 'invalid-request'
  | 'bad-response'
  // documents and storage
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
  | 'bad-format'
  | 'bad-input'
  // any boundary
  | 'aborted'
  | 'worker-crashed'
  | 'unknown';

/** What crosses a worker boundary or is stored: plain data only. */
export interface ErrorData {
  name: string;
  code?: string;
  message: string;
  hint?: string;
  cause?: string;
}

/** A failure with a code the program can branch on and a next step the learner can act on. */
export class LabError extends Error {
  override name = 'LabError';
  constructor(
    readonly code: LabErrorCode,
    message: string,
    /** What the learner can do about it, in plain words. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Names under which a LabError may arrive (older builds and stored data used these). */
const LAB_ERROR_NAMES = new Set(['LabError', 'EngineError', 'RagError']);

/** Turns anything thrown (web-llm rejects with plain strings, comlink with objects) into data. */
export function toErrorData(err: unknown): ErrorData {
  if (err instanceof LabError) {
    return { name: err.name, code: err.code, message: err.message, hint: err.hint, cause: causeText(err.cause) };
  }
  if (err instanceof Error || isErrorLike(err)) {
    const e = err as { name?: unknown; message?: unknown; code?: unknown; hint?: unknown; cause?: unknown };
    const data: ErrorData = { name: typeof e.name === 'string' ? e.name : 'Error', message: String(e.message ?? '') };
    if (typeof e.code === 'string') data.code = e.code;
    if (typeof e.hint === 'string') data.hint = e.hint;
    const cause = causeText(e.cause);
    if (cause) data.cause = cause;
    return data;
  }
  if (typeof err === 'string') return { name: 'Error', message: err };
  try {
    return { name: 'Error', message: JSON.stringify(err) ?? 'Unknown error' };
  } catch {
    return { name: 'Error', message: 'Unknown error' };
  }
}

/** Rebuilds an error from data: a LabError when it carries a code, else a plain Error with its name. */
export function fromErrorData(data: ErrorData): Error {
  if (data.code && LAB_ERROR_NAMES.has(data.name)) {
    const e = new LabError(data.code as LabErrorCode, data.message, data.hint, { cause: data.cause });
    e.name = data.name;
    return e;
  }
  const e = new Error(data.message, { cause: data.cause });
  e.name = data.name;
  return e;
}

/** Any thrown value as a LabError (unknown failures get code 'unknown'; AbortError becomes 'aborted'). */
export function asLabError(err: unknown): LabError {
  if (err instanceof LabError) return err;
  const d = toErrorData(err);
  if (d.name === 'AbortError') return new LabError('aborted', d.message || 'Cancelled.', undefined, { cause: err });
  if (d.code && LAB_ERROR_NAMES.has(d.name)) return fromErrorData(d) as LabError;
  return new LabError('unknown', d.message || d.name, undefined, { cause: err });
}

/** True when the failure is a cancel the learner asked for (never shown as an error). */
export function isAbort(err: unknown): boolean {
  if (err instanceof LabError) return err.code === 'aborted';
  const d = toErrorData(err);
  return d.name === 'AbortError' || d.code === 'aborted';
}

/** One line for the learner: the message followed by its next step, when it has one. */
export function explainError(err: unknown): string {
  const e = toErrorData(err);
  return e.hint ? `${e.message} ${e.hint}` : e.message;
}

function isErrorLike(x: unknown): boolean {
  return typeof x === 'object' && x !== null && typeof (x as { message?: unknown }).message === 'string';
}

function causeText(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return typeof cause === 'string' ? cause : undefined;
}

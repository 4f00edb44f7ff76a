/**
 * Typed errors that cross worker boundaries as data ({name, message, cause}) and are rebuilt
 * on the other side, so the UI can explain them in plain words with a next step.
 */

export type EngineErrorCode =
  | 'no-webgpu'
  | 'no-shader-f16'
  | 'model-too-large'
  | 'device-lost'
  | 'network'
  | 'not-cached'
  | 'quota'
  | 'context-window'
  | 'model-not-found'
  | 'auth'
  | 'cors'
  | 'unreachable'
  | 'aborted'
  | 'worker-crashed'
  | 'invalid-request'
  | 'unknown';

export interface SerializedError {
  name: string;
  code?: string;
  message: string;
  hint?: string;
  cause?: string;
}

/** An engine failure with a machine-readable code and a human next step. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** What the learner can do about it, in plain words. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Turns anything thrown (including web-llm's plain strings) into plain data. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof EngineError) {
    return { name: err.name, code: err.code, message: err.message, hint: err.hint, cause: causeText(err.cause) };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, cause: causeText(err.cause) };
  if (typeof err === 'string') return { name: 'Error', message: err };
  try {
    return { name: 'Error', message: JSON.stringify(err) ?? 'Unknown error' };
  } catch {
    return { name: 'Error', message: 'Unknown error' };
  }
}

/** Rebuilds a typed error from its serialized form. */
export function deserializeError(data: SerializedError): Error {
  if (data.name === 'EngineError' && data.code) {
    return new EngineError(data.code as EngineErrorCode, data.message, data.hint, { cause: data.cause });
  }
  const e = new Error(data.message, { cause: data.cause });
  e.name = data.name;
  return e;
}

function causeText(cause: unknown): string | undefined {
  if (cause === undefined) return undefined;
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return typeof cause === 'string' ? cause : undefined;
}

/** One line for the learner: the error's message followed by its next step, when it has one. */
export function explainError(err: unknown): string {
  const e = serializeError(err);
  return e.hint ? `${e.message} ${e.hint}` : e.message;
}

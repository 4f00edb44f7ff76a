/**
 * Engine failures. Since the platform work these are the lab's one error type
 * (`src/lib/errors`), kept under the name `EngineError` for the engine code that throws them.
 */
import { LabError, toErrorData, fromErrorData, type ErrorData, type LabErrorCode } from '../errors';

export { explainError } from '../errors';

export type EngineErrorCode = LabErrorCode;
export type SerializedError = ErrorData;

/** An engine failure with a machine-readable code and a human next step. */
export class EngineError extends LabError {
  override name = 'EngineError';
}

/** Turns anything thrown (including web-llm's plain strings) into plain data. */
export const serializeError = toErrorData;

/** Rebuilds a typed error from its serialized form (an `instanceof LabError` when it has a code). */
export function deserializeError(data: SerializedError): Error {
  const e = fromErrorData(data);
  if (e instanceof LabError && data.name === 'EngineError') {
    return new EngineError(e.code, e.message, e.hint, { cause: data.cause });
  }
  return e;
}

/** Storage failures as typed errors the UI can explain (LabError codes 'quota' and 'bad-format'). */
import { LabError } from '../errors';

const QUOTA_HINT =
  'Your browser refused to store more data for this site. Free space on the Storage page (delete downloaded models or old documents), or ask for persistent storage, then try again. Nothing was half-saved.';

/** The browser (or the disk under it) has no room for more data. A LabError with code 'quota'. */
export class StorageQuotaError extends LabError {
  override name = 'StorageQuotaError';
  constructor(message = 'Browser storage is full.', options?: { cause?: unknown }) {
    super('quota', message, QUOTA_HINT, options);
  }
}

/**
 * Messages of storage failures that mean "no room" without the QuotaExceededError name:
 * Chromium reports a full disk while writing Blobs as `DataError: Failed to write blobs (IOError)`.
 */
const FULL_DISK = /failed to write blobs|\bIOError\b|quota ?exceeded|no space left|disk (is )?full/i;

/** True when `err` (or its cause chain, as Dexie wraps errors) is a quota or full-disk error. */
export function isQuotaError(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const x = e as { name?: unknown; code?: unknown; message?: unknown; inner?: unknown; cause?: unknown };
    if (x.name === 'QuotaExceededError' || x.name === 'StorageQuotaError' || x.code === 22 || x.code === 'quota') return true;
    if (typeof x.message === 'string' && FULL_DISK.test(x.message)) return true;
    e = x.inner ?? x.cause;
  }
  return false;
}

/** Runs a storage operation and turns quota failures into `StorageQuotaError`. */
export async function guardQuota<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (isQuotaError(err)) throw new StorageQuotaError(undefined, { cause: err });
    throw err;
  }
}

/**
 * Any IndexedDB failure as a LabError the learner can act on, never the raw
 * "DataError …"/"InvalidStateError …" text: quota → 'quota'; a LabError passes through.
 */
export function storageError(err: unknown, doing = 'Saving'): LabError {
  if (err instanceof LabError) return err;
  if (isQuotaError(err)) return new StorageQuotaError(undefined, { cause: err });
  const name = (err as { name?: unknown })?.name;
  if (name === 'VersionError' || name === 'InvalidStateError' || name === 'DatabaseClosedError') {
    return new LabError('unknown', `${doing} failed: the database was closed or upgraded by another tab.`, 'Reload this page (close other LLM Lab tabs first), then try again.', { cause: err });
  }
  return new LabError('unknown', `${doing} failed: the browser's database refused the data.`, 'Reload the page and try again; if it keeps failing, export a backup on the Storage page.', { cause: err });
}

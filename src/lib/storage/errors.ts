/** Storage failures as typed errors the UI can explain. */

export class StorageQuotaError extends Error {
  override readonly name = 'StorageQuotaError';
  readonly hint =
    'Your browser refused to store more data for this site. Free space on the Storage page (delete downloaded models or old documents), or ask for persistent storage, then try again. Nothing was half-saved.';
  constructor(message = 'Browser storage is full.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** True when `err` (or its cause chain, as Dexie wraps errors) is a quota error. */
export function isQuotaError(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    const x = e as { name?: string; code?: number; inner?: unknown; cause?: unknown };
    if (x.name === 'QuotaExceededError' || x.name === 'StorageQuotaError' || x.code === 22) return true;
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

/**
 * Export and import of all user data as one JSON file. Binary fields (ArrayBuffer, typed arrays,
 * Blobs) are written as `{ "$bin": "<base64>", "type": "ArrayBuffer" | "Float32Array" | "Blob" | … }`.
 * Import validates the whole file first and writes everything in one transaction.
 */
import type { LabDB } from './db';
import { SCHEMA_VERSIONS } from './db';
import { guardQuota } from './errors';

export const BACKUP_FORMAT = 'llm-lab-backup';

export interface BackupFile {
  format: typeof BACKUP_FORMAT;
  schemaVersion: number;
  exportedAt: string;
  tables: Record<string, unknown[]>;
}

const TYPED: Record<string, { new (b: ArrayBuffer): ArrayBufferView }> = {
  Float32Array,
  Float64Array,
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
};

/** Reads every table into a JSON-serialisable object. */
export async function exportAll(db: LabDB, now = new Date()): Promise<BackupFile> {
  const raw: Record<string, unknown[]> = {};
  await db.transaction('r', db.tables, async () => {
    for (const t of db.tables) raw[t.name] = await t.toArray();
  });
  // Blob contents are read after the transaction (awaiting a Blob read inside it would end it)
  const blobs = new Map<Blob, Uint8Array>();
  const found: Blob[] = [];
  for (const rows of Object.values(raw)) collectBlobs(rows, found);
  for (const b of found) if (!blobs.has(b)) blobs.set(b, new Uint8Array(await b.arrayBuffer()));
  const tables: Record<string, unknown[]> = {};
  for (const [name, rows] of Object.entries(raw)) tables[name] = rows.map((r) => encodeValue(r, blobs));
  return { format: BACKUP_FORMAT, schemaVersion: latestVersion(), exportedAt: now.toISOString(), tables };
}

/** Serialises a backup to a JSON string. */
export function backupToJson(b: BackupFile): string {
  return JSON.stringify(b);
}

export class BackupFormatError extends Error {
  override readonly name = 'BackupFormatError';
}

/** Parses and checks a backup file's text. Throws BackupFormatError with a plain message. */
export function parseBackup(text: string, db: LabDB): BackupFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BackupFormatError('This file is not valid JSON, so it is not an LLM Lab backup.');
  }
  const b = raw as Partial<BackupFile>;
  if (!b || typeof b !== 'object' || b.format !== BACKUP_FORMAT) throw new BackupFormatError('This JSON file is not an LLM Lab backup.');
  if (typeof b.schemaVersion !== 'number' || b.schemaVersion > latestVersion()) {
    throw new BackupFormatError('This backup was made by a newer version of LLM Lab; update the app first.');
  }
  if (!b.tables || typeof b.tables !== 'object') throw new BackupFormatError('The backup has no tables.');
  const known = new Set(db.tables.map((t) => t.name));
  for (const [name, rows] of Object.entries(b.tables)) {
    if (!known.has(name)) throw new BackupFormatError(`The backup has an unknown table “${name}”.`);
    if (!Array.isArray(rows) || rows.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))) {
      throw new BackupFormatError(`Table “${name}” in the backup is malformed.`);
    }
  }
  return b as BackupFile;
}

/**
 * Writes a parsed backup in one transaction: 'replace' clears each table first, 'merge' keeps
 * rows not in the file. On any failure nothing is changed.
 */
export async function importAll(db: LabDB, backup: BackupFile, mode: 'replace' | 'merge' = 'replace'): Promise<number> {
  let count = 0;
  await guardQuota(() =>
    db.transaction('rw', db.tables, async () => {
      for (const t of db.tables) {
        const rows = backup.tables[t.name];
        if (mode === 'replace') await t.clear();
        if (!rows?.length) continue;
        await t.bulkPut(rows.map(decodeValue));
        count += rows.length;
      }
    }),
  );
  return count;
}

function latestVersion(): number {
  return SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1].version;
}

function collectBlobs(x: unknown, out: Blob[]): void {
  if (typeof Blob !== 'undefined' && x instanceof Blob) out.push(x);
  else if (Array.isArray(x)) for (const v of x) collectBlobs(v, out);
  else if (x && typeof x === 'object' && !(x instanceof ArrayBuffer) && !ArrayBuffer.isView(x)) for (const v of Object.values(x)) collectBlobs(v, out);
}

function encodeValue(x: unknown, blobs: Map<Blob, Uint8Array>): unknown {
  if (typeof Blob !== 'undefined' && x instanceof Blob) return { $bin: bytesToBase64(blobs.get(x)!), type: 'Blob', ...(x.type ? { mime: x.type } : {}) };
  if (x instanceof ArrayBuffer) return { $bin: bytesToBase64(new Uint8Array(x)), type: 'ArrayBuffer' };
  if (ArrayBuffer.isView(x)) {
    const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    return { $bin: bytesToBase64(bytes), type: x.constructor.name };
  }
  if (Array.isArray(x)) return x.map((v) => encodeValue(v, blobs));
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = encodeValue(v, blobs);
    return out;
  }
  return x;
}

function decodeValue(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(decodeValue);
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (typeof o.$bin === 'string' && typeof o.type === 'string') {
      const bytes = base64ToBytes(o.$bin);
      const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      if (o.type === 'ArrayBuffer') return buf;
      if (o.type === 'Blob') return new Blob([buf], typeof o.mime === 'string' ? { type: o.mime } : {});
      const Ctor = TYPED[o.type];
      if (!Ctor) throw new BackupFormatError(`Unknown binary type “${o.type}” in the backup.`);
      return new Ctor(buf);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === '__proto__') continue;
      out[k] = decodeValue(v);
    }
    return out;
  }
  return x;
}

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function base64ToBytes(b64: string): Uint8Array {
  let s: string;
  try {
    s = atob(b64);
  } catch {
    throw new BackupFormatError('The backup contains damaged binary data.');
  }
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

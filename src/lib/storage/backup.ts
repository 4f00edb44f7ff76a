/**
 * Export and import of all user data as one JSON file. Binary fields (ArrayBuffer, typed arrays,
 * Blobs) are written as `{ "$bin": "<base64>", "type": "ArrayBuffer" | "Float32Array" | "Blob" | … }`.
 *
 * Import is three steps, so "a bad file changes nothing" holds and nothing is replaced unasked:
 * 1. `parseBackup` reads the whole file: decodes binary fields, validates every row of every
 *    table (backup-rows.ts), migrates rows of older schema versions, drops duplicate keys.
 *    Any problem is a BackupFormatError (LabError 'bad-format') naming the table, row and field.
 * 2. `planImport` says what would change: per table present in the file, rows in this browser
 *    and rows in the backup, and how many of the browser's rows are newer than the backup.
 * 3. `importAll` writes in ONE transaction, touching only the tables present in the file
 *    ('replace' empties those tables first, 'merge' keeps rows the file does not have), and
 *    returns what was actually stored.
 */
import * as v from 'valibot';
import { LabError } from '../errors';
import type { ChunkRow, EmbeddingRow, LabDB, VectorBlockRow } from './db';
import { SCHEMA_VERSIONS, embeddingsToBlocks } from './db';
import { ROW_SCHEMAS, issueText } from './backup-rows';
import { StorageQuotaError, isQuotaError } from './errors';

export const BACKUP_FORMAT = 'llm-lab-backup';

export interface BackupFile {
  format: typeof BACKUP_FORMAT;
  schemaVersion: number;
  exportedAt: string;
  tables: Record<string, unknown[]>;
}

/** A checked backup: rows decoded, validated, migrated to the current schema, one per key. */
export interface ParsedBackup {
  /** the schema version the file was written with */
  schemaVersion: number;
  exportedAt: string;
  /** only the tables present in the file */
  tables: Record<string, unknown[]>;
  /** what the checks changed (migrations, duplicates), for the confirm step */
  notes: string[];
}

export interface TablePlan {
  name: string;
  /** rows of this table in the browser now */
  existing: number;
  /** rows of this table in the backup */
  incoming: number;
  /** rows in the browser changed after the backup was made (null: the table keeps no time) */
  newer: number | null;
}

/** What an import would change; shown before anything is written. */
export interface ImportPlan {
  exportedAt: string;
  schemaVersion: number;
  /** the tables present in the file, which an import touches */
  tables: TablePlan[];
  /** tables absent from the file: left exactly as they are */
  untouched: string[];
  notes: string[];
}

export interface ImportResult {
  /** rows stored, counted in the database after the write */
  stored: number;
  /** rows stored per table touched */
  tables: Record<string, number>;
}

/** A file that is not a usable backup (LabError code 'bad-format'); the data was not touched. */
export class BackupFormatError extends LabError {
  override name = 'BackupFormatError';
  constructor(message: string, hint = 'Nothing was changed. Choose a backup file exported by LLM Lab (Storage → Export everything).') {
    super('bad-format', message, hint);
  }
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

/** Deepest nesting a row may have (real rows are a few levels deep; this stops stack overflows). */
const MAX_DEPTH = 64;

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

/**
 * Parses and checks a backup file's text (step 1). Throws BackupFormatError with a plain message
 * naming what is wrong; never a raw parser or stack error.
 */
export function parseBackup(text: string, db: LabDB): ParsedBackup {
  try {
    return parseChecked(text, db);
  } catch (e) {
    if (e instanceof LabError) throw e;
    // e.g. RangeError from a string too long for this browser
    throw new BackupFormatError(`This backup could not be read (${(e as Error)?.name ?? 'error'}: it is damaged or too large for this browser).`);
  }
}

function parseChecked(text: string, db: LabDB): ParsedBackup {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BackupFormatError('This file is not valid JSON, so it is not an LLM Lab backup.');
  }
  const b = raw as Partial<BackupFile>;
  if (!b || typeof b !== 'object' || Array.isArray(b) || b.format !== BACKUP_FORMAT) throw new BackupFormatError('This JSON file is not an LLM Lab backup.');
  const version = b.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new BackupFormatError('This backup has no valid schema version.');
  if (version > latestVersion()) throw new BackupFormatError('This backup was made by a newer version of LLM Lab.', 'Nothing was changed. Update the app (reload it online), then import again.');
  if (!b.tables || typeof b.tables !== 'object' || Array.isArray(b.tables)) throw new BackupFormatError('The backup has no tables.');
  const known = new Map(db.tables.map((t) => [t.name, t]));
  const names = Object.keys(b.tables);
  if (names.length === 0) throw new BackupFormatError('The backup contains no tables, so there is nothing to import.');
  const tables: Record<string, unknown[]> = {};
  const notes: string[] = [];
  for (const name of names) {
    const table = known.get(name);
    if (!table || !Object.hasOwn(ROW_SCHEMAS, name)) throw new BackupFormatError(`The backup has an unknown table “${name}”.`);
    const rows = (b.tables as Record<string, unknown>)[name];
    if (!Array.isArray(rows)) throw new BackupFormatError(`Table “${name}” in the backup is malformed (not a list of rows).`);
    const keyPath = table.schema.primKey.keyPath as string;
    const autoKey = table.schema.primKey.auto;
    const byKey = new Map<unknown, unknown>();
    const keyless: unknown[] = [];
    rows.forEach((row, i) => {
      const where = `Row ${i + 1} of table “${name}”`;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new BackupFormatError(`${where} is malformed (not an object).`);
      const decoded = decodeValue(row, 0, where);
      const r = v.safeParse(ROW_SCHEMAS[name], decoded);
      if (!r.success) throw new BackupFormatError(`${where} is invalid: ${issueText(r.issues)}.`);
      const key = (r.output as Record<string, unknown>)[keyPath];
      if (autoKey && key === undefined) keyless.push(r.output);
      else byKey.set(key, r.output); // a later row with the same key wins, as it would in the database
    });
    const dup = rows.length - byKey.size - keyless.length;
    if (dup > 0) notes.push(`${name}: ${dup} row(s) repeat another row's key; the last one is kept.`);
    tables[name] = [...byKey.values(), ...keyless];
  }
  migrate(version, tables, notes);
  return { schemaVersion: version, exportedAt: typeof b.exportedAt === 'string' ? b.exportedAt : '', tables, notes };
}

/**
 * Brings rows of an older schema to the current one, as the database migrations in db.ts do:
 * v1 kept one `embeddings` row per chunk (v2 packs them into vector blocks); v2 blocks hold an
 * ArrayBuffer and no `docIds` (v3: a Blob and the list of documents).
 */
function migrate(version: number, tables: Record<string, unknown[]>, notes: string[]): void {
  if (version < 2 && tables.embeddings) {
    const embeddings = tables.embeddings as EmbeddingRow[];
    const chunks = (tables.chunks ?? []) as ChunkRow[];
    const { blocks, dropped } = embeddingsToBlocks(chunks, embeddings);
    const existing = (tables.vectorBlocks ?? []) as VectorBlockRow[];
    const have = new Set(existing.map((b) => b.docId));
    tables.vectorBlocks = [...existing, ...blocks.filter((b) => !have.has(b.docId))];
    tables.embeddings = [];
    notes.push(`Made by an older version (schema ${version}): its ${embeddings.length} chunk vector(s) were packed into ${blocks.length} document block(s)${dropped ? `; ${dropped} vector(s) without a matching chunk were left out` : ''}.`);
  }
  if (tables.vectorBlocks) {
    tables.vectorBlocks = (tables.vectorBlocks as VectorBlockRow[]).map((b) => ({
      ...b,
      docIds: b.docIds ?? [b.docId],
      vectors: b.vectors instanceof Blob ? b.vectors : new Blob([b.vectors]),
    }));
  }
  // a collection whose chunks have no vectors would load with nothing to search: say so before importing
  if (tables.chunks && tables.collections) {
    const withVectors = new Set<string>();
    for (const b of (tables.vectorBlocks ?? []) as VectorBlockRow[]) for (const c of b.chunkIds) withVectors.add(c);
    const missing = new Map<string, number>();
    for (const c of tables.chunks as ChunkRow[]) if (!withVectors.has(c.id)) missing.set(c.collectionId, (missing.get(c.collectionId) ?? 0) + 1);
    for (const [col, n] of missing) {
      const name = (tables.collections as Array<{ id: string; name: string }>).find((c) => c.id === col)?.name ?? col;
      notes.push(`Collection “${name}”: ${n} chunk(s) have no vectors in this backup; add its documents again to search them.`);
    }
  }
}

/** Indexed time fields, for counting rows changed after the backup was made. */
const TIME_INDEX: Record<string, string> = {
  progress: 'updatedAt',
  conversations: 'updatedAt',
  traces: 'at',
  modelBlobs: 'createdAt',
  evalRuns: 'createdAt',
  memories: 'createdAt',
};

/** What importing `parsed` would change (step 2); reads counts only. */
export async function planImport(db: LabDB, parsed: ParsedBackup): Promise<ImportPlan> {
  const since = Date.parse(parsed.exportedAt);
  const tables: TablePlan[] = [];
  const untouched: string[] = [];
  await db.transaction('r', db.tables, async () => {
    for (const t of db.tables) {
      const rows = parsed.tables[t.name];
      if (!rows) {
        untouched.push(t.name);
        continue;
      }
      const existing = await t.count();
      const field = TIME_INDEX[t.name];
      const newer = field && Number.isFinite(since) && existing > 0 ? await t.where(field).above(since).count() : null;
      tables.push({ name: t.name, existing, incoming: rows.length, newer });
    }
  });
  return { exportedAt: parsed.exportedAt, schemaVersion: parsed.schemaVersion, tables, untouched, notes: parsed.notes };
}

/**
 * Writes a parsed backup in one transaction (step 3), touching only the tables present in the
 * file: 'replace' empties each of them first, 'merge' keeps rows the file does not have. On any
 * failure nothing is changed and the error is a LabError ('quota' or 'bad-format').
 */
export async function importAll(db: LabDB, backup: ParsedBackup, mode: 'replace' | 'merge' = 'replace'): Promise<ImportResult> {
  const touched = db.tables.filter((t) => backup.tables[t.name]);
  const result: ImportResult = { stored: 0, tables: {} };
  if (touched.length === 0) return result;
  try {
    await db.transaction('rw', touched, async () => {
      for (const t of touched) {
        const rows = backup.tables[t.name];
        if (mode === 'replace') await t.clear();
        if (rows.length) await t.bulkPut(rows);
        // replace: what the table holds now; merge: every row of the file was stored (keys are unique after parsing)
        const n = mode === 'replace' ? await t.count() : rows.length;
        result.tables[t.name] = n;
        result.stored += n;
      }
    });
  } catch (e) {
    if (isQuotaError(e)) throw new StorageQuotaError('Browser storage is full: the backup does not fit. Nothing was changed.', { cause: e });
    if (e instanceof LabError) throw e;
    throw new BackupFormatError(`The browser's database refused a row of this backup (${(e as Error)?.name ?? 'error'}).`, 'Nothing was changed. The file may be damaged; try another backup.');
  }
  return result;
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

function decodeValue(x: unknown, depth: number, where: string): unknown {
  if (depth > MAX_DEPTH) throw new BackupFormatError(`${where} is nested more than ${MAX_DEPTH} levels deep; no LLM Lab data is.`);
  if (Array.isArray(x)) return x.map((y) => decodeValue(y, depth + 1, where));
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (typeof o.$bin === 'string' && typeof o.type === 'string') {
      const bytes = base64ToBytes(o.$bin, where);
      const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      if (o.type === 'ArrayBuffer') return buf;
      if (o.type === 'Blob') return new Blob([buf], typeof o.mime === 'string' ? { type: o.mime } : {});
      const Ctor = Object.hasOwn(TYPED, o.type) ? TYPED[o.type] : undefined;
      if (!Ctor) throw new BackupFormatError(`${where} has an unknown binary type “${o.type}”.`);
      const size = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      if (buf.byteLength % size) throw new BackupFormatError(`${where} has a damaged ${o.type}.`);
      return new Ctor(buf);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === '__proto__') continue;
      out[k] = decodeValue(v, depth + 1, where);
    }
    return out;
  }
  return x;
}

type Base64Native = { fromBase64?: (s: string) => Uint8Array; prototype: { toBase64?: () => string } };

function bytesToBase64(bytes: Uint8Array): string {
  // native where the browser has it (Chromium 140+: much faster on large exports)
  if (typeof (Uint8Array.prototype as Base64Native['prototype']).toBase64 === 'function') return (bytes as unknown as { toBase64(): string }).toBase64();
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function base64ToBytes(b64: string, where: string): Uint8Array {
  const native = (Uint8Array as unknown as Base64Native).fromBase64;
  try {
    if (native) return native(b64);
    const s = atob(b64);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  } catch {
    throw new BackupFormatError(`${where} contains damaged binary data.`);
  }
}

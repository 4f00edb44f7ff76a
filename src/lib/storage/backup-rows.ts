/**
 * What a row of each table must look like to be imported from a backup (after its binary
 * fields are decoded). The schemas check the key, the indexed fields and every field the app
 * reads, so an imported row can neither make IndexedDB throw nor crash a page later; fields
 * they do not name are kept (a newer build may have added them).
 */
import * as v from 'valibot';
import { SETTING_SCHEMAS } from './settings';

const id = v.pipe(v.string(), v.minLength(1), v.maxLength(512));
const text = v.string();
const time = v.pipe(v.number(), v.finite());
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const dims = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65_536));
const record = v.record(v.string(), v.unknown());
const buffer = v.instance(ArrayBuffer, 'must be binary data (ArrayBuffer)');
const float32Bytes = v.pipe(
  buffer,
  v.check((b) => b.byteLength % 4 === 0, 'must hold whole Float32 numbers'),
);
const loose = v.looseObject;

/** Row schema per table (the tables of SCHEMA_VERSIONS). */
export const ROW_SCHEMAS: Record<string, v.GenericSchema> = {
  progress: loose({ taskId: id, done: v.boolean(), source: text, evidence: v.optional(record), updatedAt: time }),
  labStates: loose({ labId: id, state: record, updatedAt: time }),
  settings: v.pipe(
    loose({ key: id, value: v.unknown() }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const row = dataset.value as { key: string; value: unknown };
      const schema = Object.hasOwn(SETTING_SCHEMAS, row.key) ? SETTING_SCHEMAS[row.key] : undefined;
      const r = schema ? v.safeParse(schema, row.value) : null;
      if (r && !r.success) addIssue({ message: `the value of setting “${row.key}” has the wrong shape (${issueText(r.issues)})` });
    }),
  ),
  conversations: loose({
    id,
    title: text,
    modelId: text,
    // turns are objects; the chat's reader (fromRow) already drops turns it cannot show
    messages: v.array(record),
    systemPrompt: v.optional(text),
    params: v.optional(record),
    createdAt: time,
    updatedAt: time,
  }),
  traces: loose({ id: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))), at: time, engine: text, modelId: text, labId: v.optional(text), latencyMs: v.optional(time) }),
  collections: loose({ id, name: text, embedder: text, dims, createdAt: time }),
  documents: loose({ id, collectionId: id, name: text, mime: text, hash: id, size: count, text, pages: v.optional(v.array(count)), createdAt: time }),
  chunks: loose({ id, collectionId: id, docId: id, index: count, text, start: count, end: count, page: v.optional(count) }),
  embeddings: loose({ chunkId: id, collectionId: id, embedder: text, vector: float32Bytes }),
  vectorBlocks: v.pipe(
    loose({
      docId: id,
      docIds: v.optional(v.array(id)),
      collectionId: id,
      embedder: text,
      dims,
      chunkIds: v.array(id),
      vectors: v.union([v.instance(Blob), buffer], 'must be binary data (Blob or ArrayBuffer)'),
    }),
    v.check((b) => {
      const bytes = b.vectors instanceof Blob ? b.vectors.size : b.vectors.byteLength;
      return bytes === b.chunkIds.length * b.dims * 4;
    }, 'its vector bytes do not match chunkIds × dims'),
  ),
  modelBlobs: loose({
    id,
    kind: v.picklist(['checkpoint', 'lora', 'dpo', 'quantized', 'tokenizer']),
    name: text,
    baseModel: v.optional(text),
    meta: record,
    data: buffer,
    createdAt: time,
  }),
  evalRuns: loose({ id, kind: text, modelId: text, results: v.unknown(), createdAt: time }),
  memories: loose({ id, agentId: id, text, vector: v.optional(float32Bytes), createdAt: time }),
};

/** The first issue(s) in plain words: "baseUrl should be string (found 5)", "apiKey is missing". */
export function issueText(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 2)
    .map((i) => {
      const path = v.getDotPath(i);
      if (i.kind === 'schema' && path) return i.received === 'undefined' ? `${path} is missing` : `${path} should be ${i.expected} (found ${i.received})`;
      return path ? `${path}: ${i.message}` : i.message;
    })
    .join('; ');
}

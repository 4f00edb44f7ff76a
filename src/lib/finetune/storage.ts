/**
 * Fine-tuned adapters in IndexedDB: one `modelBlobs` row per adapter (kind 'lora'; no schema
 * change). `data` is the PEFT adapter_model.safetensors; `meta.adapterConfig` its
 * adapter_config.json, so a row is a complete PEFT folder and survives backups (export/import of
 * every table) as it is.
 *
 * The model picker and Chat offer every such row as the model `<baseModel>+<row id>`
 * (src/lib/engine/tinylm-models.ts, fed by workers/tinylm.worker.ts): the base loaded with
 * `adapterFromRow(row, config).merged(base.weights)`, so KV-cache sessions work unchanged.
 */
import { LabError } from '../errors';
import type { TinyLMConfig } from '../tinylm/contract';
import type { LoraAdapter } from '../tinylm/lora';
import type { LabDB, ModelBlobRow } from '../storage/db';
import { guardQuota } from '../storage/errors';
import { importPeftAdapter, type PeftFiles } from './peft';

/** The row of an adapter (the caller picks a stable id: a new save with the same id replaces it). */
export function adapterRow(id: string, name: string, baseModel: string, files: PeftFiles, meta: Record<string, unknown> = {}, now = Date.now()): ModelBlobRow {
  const st = files['adapter_model.safetensors'];
  return {
    id, kind: 'lora', name, baseModel, createdAt: now,
    meta: { ...meta, format: 'peft-safetensors', adapterConfig: files['adapter_config.json'] },
    data: st.buffer.slice(st.byteOffset, st.byteOffset + st.byteLength) as ArrayBuffer,
  };
}

/** The PEFT files of a stored row. */
export function rowFiles(row: ModelBlobRow): { config: string; safetensors: Uint8Array } {
  if (row.kind !== 'lora' || typeof row.meta.adapterConfig !== 'string') throw new LabError('bad-format', `Stored model "${row.name}" is not a LoRA adapter.`, 'Choose a LoRA adapter saved by the fine-tuning lab.');
  return { config: row.meta.adapterConfig, safetensors: new Uint8Array(row.data) };
}

/** Rebuilds the adapter of a stored row for a model of shape `config` (LabError when it does not fit). */
export function adapterFromRow(row: ModelBlobRow, config: TinyLMConfig): LoraAdapter {
  return importPeftAdapter(rowFiles(row), config).adapter;
}

/** Saves a row; a full quota becomes StorageQuotaError and nothing else is touched. */
export async function saveAdapterRow(db: LabDB, row: ModelBlobRow): Promise<void> {
  await guardQuota(() => db.modelBlobs.put(row));
}

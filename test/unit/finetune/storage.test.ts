/** Adapters in IndexedDB: a saved adapter survives a backup round trip and loads back; bad rows and quota errors are clear. */
import { describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openLabDB } from '../../../src/lib/storage/db';
import { backupToJson, exportAll, importAll, parseBackup } from '../../../src/lib/storage/backup';
import { StorageQuotaError } from '../../../src/lib/storage/errors';
import { adapterFromRow, adapterRow, saveAdapterRow } from '../../../src/lib/finetune/storage';
import { exportPeftAdapter } from '../../../src/lib/finetune/peft';
import { LoraAdapter } from '../../../src/lib/tinylm/lora';
import { BASE_CONFIG } from '../../../src/lib/tinylm/presets';
import { RNG } from '../../../src/lib/tinylm/rng';
import { LabError } from '../../../src/lib/errors';

const fresh = (name: string) => openLabDB(name, { indexedDB: new IDBFactory(), IDBKeyRange });

describe('adapter storage', () => {
  it('survives a backup round trip and rebuilds the same adapter', async () => {
    const a = LoraAdapter.create(BASE_CONFIG, { r: 4, alpha: 8, dropout: 0, targets: ['q', 'v'] });
    const rng = new RNG(1);
    for (const l of a.layers.values()) l.B.data.forEach((_, i) => (l.B.data[i] = rng.normal()));
    const db = fresh('ft-a');
    await saveAdapterRow(db, adapterRow('finetune-lab:lora', 'test adapter', 'tinylm-chat', exportPeftAdapter(a, 'tinylm-chat'), { exact: 0.9 }));
    const json = backupToJson(await exportAll(db));
    const db2 = fresh('ft-b');
    await importAll(db2, parseBackup(json, db2), 'replace');
    const row = (await db2.modelBlobs.get('finetune-lab:lora'))!;
    expect(row.kind).toBe('lora');
    expect(row.meta.exact).toBe(0.9);
    const b = adapterFromRow(row, BASE_CONFIG);
    for (const [k, l] of a.layers) expect(b.layers.get(k)!.B.data).toEqual(l.B.data);
    // …and does not fit a model of another shape
    expect(() => adapterFromRow(row, { ...BASE_CONFIG, dim: 64, nHeads: 2 })).toThrow(LabError);
  });

  it('a full quota becomes StorageQuotaError (with a next step) and the existing row is kept', async () => {
    const db = fresh('ft-c');
    const a = LoraAdapter.create(BASE_CONFIG, { r: 2, alpha: 4, dropout: 0, targets: ['q'] });
    const row = adapterRow('x', 'first', 'tinylm-chat', exportPeftAdapter(a, 'tinylm-chat'));
    await saveAdapterRow(db, row);
    const put = db.modelBlobs.put.bind(db.modelBlobs);
    db.modelBlobs.put = (() => Promise.reject(Object.assign(new Error('quota'), { name: 'QuotaExceededError' }))) as unknown as typeof db.modelBlobs.put;
    const err = await saveAdapterRow(db, { ...row, name: 'second' }).catch((e) => e);
    expect(err).toBeInstanceOf(StorageQuotaError);
    expect(err.hint).toMatch(/Free space/);
    db.modelBlobs.put = put;
    expect((await db.modelBlobs.get('x'))!.name).toBe('first');
  });
});

/**
 * The fine-tuning service trains on rows the page sends (lesson 2.2.d's raw vs curated runs):
 * held-out scoring stays the task's, probes are answered, and an empty data set is a clear
 * LabError that leaves the last finished run (and its exports) as it was.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createFinetuneService } from '../../../src/lib/finetune/service';
import { DEFAULT_LORA_CONFIG } from '../../../src/lib/finetune/recipe';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';
import type { CallContext } from '../../../src/lib/rpc/protocol';
import { parseJsonl } from '../../../src/lib/curation/dataset';
import { dirtySample } from '../../../src/lib/curation/sample';
import { piiReplyRows } from '../../../src/lib/curation/compare';

const read = (f: string) => readFileSync(new URL(`../../../public/models/tinylm-chat/${f}`, import.meta.url));
const load = async () => loadModel({ config: read('config.json').toString(), safetensors: read('model.safetensors'), tokenizer: read('tokenizer.json').toString() });
const ctx = { signal: new AbortController().signal, progress: async () => {} } as CallContext<never>;

describe('fine-tuning service on given rows', () => {
  it('trains on the rows, answers the probes, and rejects an empty set without losing the last run', async () => {
    const svc = createFinetuneService(load);
    const loaded = await svc.load('');
    expect(loaded.ok).toBe(true);
    const rows = parseJsonl(dirtySample().text).rows.map((r) => r.messages);
    const probes = piiReplyRows(rows, 2);
    const res = await svc.run({ requestId: 1, method: 'lora', lora: DEFAULT_LORA_CONFIG, steps: 3, seed: 2, rows, probes }, ctx as never);
    if (!res.ok) throw new Error(res.error.message);
    expect(res.value.steps).toBe(3);
    expect(res.value.probeReplies).toHaveLength(2);
    expect(res.value.score.replies).toHaveLength(res.value.score.n);
    const before = await svc.exportFiles('lora-gguf');
    expect(before.ok).toBe(true);

    const empty = await svc.run({ requestId: 2, method: 'lora', lora: DEFAULT_LORA_CONFIG, steps: 3, rows: [] }, ctx as never);
    expect(empty.ok).toBe(false);
    if (!empty.ok) {
      expect(empty.error.code).toBe('bad-input');
      expect(empty.error.hint).toMatch(/loosen the filters/);
    }
    const after = await svc.exportFiles('lora-gguf');
    expect(after.ok && before.ok && after.value['tinylm-lora-adapter.gguf']).toEqual(before.ok && before.value['tinylm-lora-adapter.gguf']);
  }, 120_000);
});

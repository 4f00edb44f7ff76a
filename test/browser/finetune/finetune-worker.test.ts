/** The fine-tuning worker in a real browser: load + base score, a short LoRA run with progress, pause/resume/cancel, PEFT round trip. */
import { describe, expect, it } from 'vitest';
import { createWorkerClient } from '../../../src/lib/rpc/client';
import type { FinetuneApi, FinetuneProgress } from '../../../src/lib/finetune/service';
import { ALL_LINEAR } from '../../../src/lib/tinylm/lora';

const lora = { r: 4, alpha: 8, dropout: 0, targets: ALL_LINEAR, seed: 1 };
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('finetune worker', () => {
  it('loads the chat model, fine-tunes with LoRA, pauses, resumes, cancels, and imports its own adapter', async () => {
    const client = createWorkerClient<FinetuneApi>({
      label: 'fine-tuning',
      start: (name) => new Worker(new URL('../../../workers/finetune.worker.ts', import.meta.url), { type: 'module', name }),
    });
    const loaded = await client.call('load', ['/models/tinylm-chat/']);
    if (!loaded.ok) throw new Error(loaded.error.message);
    expect(loaded.value.baseScore.format).toBe(0);
    expect(loaded.value.config.dim).toBe(96);

    const events: FinetuneProgress[] = [];
    const r = await client.call('run', [{ requestId: 3, method: 'lora', lora, steps: 6 }], { onProgress: (p: FinetuneProgress) => void events.push(p) });
    if (!r.ok) throw new Error(r.error.message);
    for (let i = 0; i < 100 && events.at(-1)?.step !== 6; i++) await settle();
    expect(r.value.requestId).toBe(3);
    expect(r.value.cancelled).toBe(false);
    expect(events.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.every((e) => e.requestId === 3 && e.stepMs > 0)).toBe(true);
    expect(r.value.valLoss).toBeLessThan(loaded.value.baseValLoss);
    expect(r.value.memory.trainable).toBe(3 * 4 * (192 + 128 + 128 + 192 + 352 * 3));
    expect(r.value.adapter!['adapter_config.json']).toContain('"peft_type": "LORA"');

    // pause / resume / cancel
    let step = 0;
    const stop = new AbortController();
    const long = client.call('run', [{ requestId: 4, method: 'qlora', lora, steps: 400 }], { signal: stop.signal, cancel: 'finish', onProgress: (p: FinetuneProgress) => void (step = p.step) });
    while (step < 2) await settle();
    await client.call('pause', []);
    await new Promise((res) => setTimeout(res, 2000)); // the step in flight finishes
    const at = step;
    await new Promise((res) => setTimeout(res, 1000));
    expect(step).toBe(at);
    await client.call('resume', []);
    while (step < at + 1) await settle();
    stop.abort(); // cancelling is aborting the call's signal
    const cancelled = await long;
    expect(cancelled.ok && cancelled.value.cancelled).toBe(true);

    // the adapter of the first run imports back and scores
    const imp = await client.call('importAdapter', [{ config: r.value.adapter!['adapter_config.json'], safetensors: r.value.adapter!['adapter_model.safetensors'] }]);
    if (!imp.ok) throw new Error(imp.error.message);
    expect(imp.value.valLoss).toBeCloseTo(r.value.valLoss, 4);
    // a damaged file comes back as a LabError, as data
    const bad = await client.call('importAdapter', [{ config: r.value.adapter!['adapter_config.json'], safetensors: new Uint8Array([1, 2, 3]) }]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.code).toBe('bad-format');
    client.dispose();
  }, 120_000);
});

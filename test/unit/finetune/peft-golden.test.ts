/**
 * Our PEFT adapter folders against Hugging Face PEFT itself: make_peft_golden.py loaded the folders
 * our exporter wrote (test/fixtures/finetune/peft/) with PeftModel.from_pretrained on transformers'
 * LlamaForCausalLM and recorded the logits. Here the same adapters, rebuilt from their seeds, export
 * to the same bytes, and our forward pass with them gives PEFT's logits — so a folder from this lab
 * loads in PEFT and means the same thing there, and (importing) a PEFT folder means the same here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportPeftAdapter, importPeftAdapter } from '../../../src/lib/finetune/peft';
import { loadModel } from '../../../src/lib/tinylm/checkpoint';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { PEFT_FIXTURE_PROMPT, PEFT_FIXTURES, peftFixtureAdapter } from '../../fixtures/finetune/peft-fixture';

const dir = 'public/models/tinylm-chat/';
const chat = loadModel({ config: readFileSync(dir + 'config.json', 'utf8'), safetensors: readFileSync(dir + 'model.safetensors'), tokenizer: readFileSync(dir + 'tokenizer.json', 'utf8') });
const FIX = 'test/fixtures/finetune/peft/';
const golden = JSON.parse(readFileSync(FIX + 'golden-peft.json', 'utf8')) as {
  ids: number[]; positions: number[]; base: Record<string, number[]>;
  adapters: Record<string, { logits: Record<string, number[]>; maxAbsAdapterMinusBase: number; maxAbsMergedMinusAdapter: number }>;
};
const V = chat.model.config.vocabSize;
/** Largest |ours − PEFT's| over the recorded positions. */
function worst(ours: Float32Array, theirs: Record<string, number[]>): number {
  let w = 0;
  for (const p of golden.positions) theirs[String(p)]!.forEach((x, j) => (w = Math.max(w, Math.abs(ours[p * V + j]! - x))));
  return w;
}

describe('PEFT adapters against Hugging Face PEFT (golden logits)', () => {
  const ids = golden.ids;
  it('the prompt tokenizes as it did for the golden, and the base model matches transformers', () => {
    expect(chat.tokenizer.encode(PEFT_FIXTURE_PROMPT)).toEqual(ids);
    expect(worst(chat.model.forward(ids, 1, ids.length, { noGrad: true }).data, golden.base)).toBeLessThan(5e-5);
  });

  it.each(Object.keys(PEFT_FIXTURES))('%s: our export is the folder PEFT loaded, and both give the same logits', (name) => {
    const adapter = peftFixtureAdapter(name, chat.model.config);
    const files = exportPeftAdapter(adapter, 'tinylm-chat');
    expect(files['adapter_config.json']).toBe(readFileSync(FIX + name + '/adapter_config.json', 'utf8'));
    expect(Buffer.from(files['adapter_model.safetensors']).equals(readFileSync(FIX + name + '/adapter_model.safetensors'))).toBe(true);
    // The adapter moves the logits by whole nats in PEFT, so agreement to 1e-4 is not agreement with the base.
    expect(golden.adapters[name]!.maxAbsAdapterMinusBase).toBeGreaterThan(1);
    const ours = chat.model.forward(ids, 1, ids.length, { noGrad: true, adapters: adapter.forwardAdapters() }).data;
    expect(worst(ours, golden.adapters[name]!.logits)).toBeLessThan(5e-5);
    // Importing the folder PEFT read (not our in-memory adapter) gives the same logits too.
    const { adapter: imported } = importPeftAdapter({ config: readFileSync(FIX + name + '/adapter_config.json', 'utf8'), safetensors: readFileSync(FIX + name + '/adapter_model.safetensors') }, chat.model.config);
    const back = chat.model.forward(ids, 1, ids.length, { noGrad: true, adapters: imported.forwardAdapters() }).data;
    expect(worst(back, golden.adapters[name]!.logits)).toBeLessThan(5e-5);
    // Our merged weights give PEFT's logits too (PEFT's own merge_and_unload agreed with its adapter path).
    expect(golden.adapters[name]!.maxAbsMergedMinusAdapter).toBeLessThan(5e-5);
    const merged = new TinyLM(chat.model.config, adapter.merged(chat.model.weights));
    expect(worst(merged.forward(ids, 1, ids.length, { noGrad: true }).data, golden.adapters[name]!.logits)).toBeLessThan(5e-5);
  });
});

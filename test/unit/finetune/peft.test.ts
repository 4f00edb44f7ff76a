/** PEFT adapter folders: keys, shapes and config as PEFT writes them; round trip; bad files. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../src/lib/errors';
import { exportMergedGGUF, exportMergedModel, exportPeftAdapter, importPeftAdapter, parsePeftConfig } from '../../../src/lib/finetune/peft';
import { loadModel, loadSafetensors } from '../../../src/lib/tinylm/checkpoint';
import type { TinyLMConfig } from '../../../src/lib/tinylm/contract';
import { exportGGUF, ggufTensorToFloat32, importGGUF, readGGUF } from '../../../src/lib/tinylm/gguf';
import { exportLoraGGUF } from '../../../src/lib/finetune/gguf-lora';
import { ALL_LINEAR, LoraAdapter } from '../../../src/lib/tinylm/lora';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { RNG } from '../../../src/lib/tinylm/rng';

const dir = 'public/models/tinylm-chat/';
const chat = loadModel({ config: readFileSync(dir + 'config.json', 'utf8'), safetensors: readFileSync(dir + 'model.safetensors'), tokenizer: readFileSync(dir + 'tokenizer.json', 'utf8') });
const cfg = chat.model.config;

function trainedLike(c: TinyLMConfig, targets = ALL_LINEAR) {
  const a = LoraAdapter.create(c, { r: 4, alpha: 8, dropout: 0.05, targets, rslora: false });
  const rng = new RNG(8);
  for (const l of a.layers.values()) l.B.data.forEach((_, i) => (l.B.data[i] = rng.normal() * 0.05));
  return a;
}
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]));
  return w;
};
const expectLabError = (f: () => unknown, re: RegExp) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LabError);
    expect((e as LabError).code).toBe('bad-format');
    expect((e as LabError).message).toMatch(re);
    expect((e as LabError).hint).toBeTruthy();
    return;
  }
  throw new Error('expected a LabError');
};

describe('PEFT adapter folder', () => {
  it('writes PEFT’s config fields and its key names and shapes ([r, in] / [out, r])', () => {
    const files = exportPeftAdapter(trainedLike(cfg, ['q', 'v', 'down']), 'tinylm-chat');
    const c = JSON.parse(files['adapter_config.json']);
    expect(c).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 8, base_model_name_or_path: 'tinylm-chat', target_modules: ['q_proj', 'v_proj', 'down_proj'], bias: 'none' });
    const { weights } = loadSafetensors(files['adapter_model.safetensors']);
    expect(weights.get('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight')!.shape).toEqual([4, 96]);
    expect(weights.get('base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight')!.shape).toEqual([96, 4]);
    expect(weights.get('base_model.model.model.layers.2.self_attn.v_proj.lora_B.weight')!.shape).toEqual([32, 4]);
    expect(weights.get('base_model.model.model.layers.1.mlp.down_proj.lora_A.weight')!.shape).toEqual([4, 256]);
    expect(weights.size).toBe(3 * 3 * 2);
  });

  it('round trip: the imported adapter has the same config and weights and gives the same logits', () => {
    const a = trainedLike(cfg);
    const files = exportPeftAdapter(a, 'tinylm-chat');
    const { adapter: b, baseModel } = importPeftAdapter({ config: files['adapter_config.json'], safetensors: files['adapter_model.safetensors'] }, cfg);
    expect(baseModel).toBe('tinylm-chat');
    expect(b.config).toMatchObject({ r: 4, alpha: 8, targets: ALL_LINEAR });
    for (const [k, l] of a.layers) {
      expect(b.layers.get(k)!.A.data).toEqual(l.A.data);
      expect(b.layers.get(k)!.B.data).toEqual(l.B.data);
    }
    const ids = chat.tokenizer.encode('Once upon a time');
    const la = chat.model.forward(ids, 1, ids.length, { noGrad: true, adapters: a.forwardAdapters() }).data;
    const lb = chat.model.forward(ids, 1, ids.length, { noGrad: true, adapters: b.forwardAdapters() }).data;
    expect(maxDiff(la, lb)).toBe(0);
  });

  it('accepts PEFT’s "all-linear" shorthand and rsLoRA', () => {
    const c = parsePeftConfig(JSON.stringify({ peft_type: 'LORA', r: 16, lora_alpha: 32, target_modules: 'all-linear', use_rslora: true }));
    expect(c.targets).toEqual(ALL_LINEAR);
    expect(c.rslora).toBe(true);
  });

  it('rejects an adapter for another model shape, a corrupt safetensors header, other PEFT types and bad JSON', () => {
    const other: TinyLMConfig = { ...cfg, dim: 64, nHeads: 2, ffnDim: 128 };
    const files = exportPeftAdapter(trainedLike(other, ['q']), 'other');
    expectLabError(() => importPeftAdapter({ config: files['adapter_config.json'], safetensors: files['adapter_model.safetensors'] }, cfg), /another shape|needs \[/);
    const deep = exportPeftAdapter(trainedLike({ ...cfg, nLayers: 2 }, ['q']), 'x');
    expectLabError(() => importPeftAdapter({ config: deep['adapter_config.json'], safetensors: deep['adapter_model.safetensors'] }, cfg), /no lora_A\/lora_B/);
    const good = exportPeftAdapter(trainedLike(cfg, ['q']), 'tinylm-chat');
    const corrupt = good['adapter_model.safetensors'].slice();
    corrupt.set(new TextEncoder().encode('{"broken'), 8);
    expectLabError(() => importPeftAdapter({ config: good['adapter_config.json'], safetensors: corrupt }, cfg), /header is damaged/);
    const huge = good['adapter_model.safetensors'].slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expectLabError(() => importPeftAdapter({ config: good['adapter_config.json'], safetensors: huge }, cfg), /header is damaged/);
    expectLabError(() => parsePeftConfig('{"peft_type": "IA3"}'), /not "LORA"/);
    expectLabError(() => parsePeftConfig('not json'), /not valid JSON/);
    expectLabError(() => parsePeftConfig('{"peft_type": "LORA", "target_modules": ["c_attn"]}'), /c_attn/);
  });

  it('the merged model exports as safetensors and GGUF that load back with the adapter path’s logits', () => {
    const a = trainedLike(cfg);
    const merged = a.merged(chat.model.weights);
    const ids = chat.tokenizer.encode('Context: Mia lives in Oslo.\nQuestion: Where does Mia live?');
    const ref = chat.model.forward(ids, 1, ids.length, { noGrad: true, adapters: a.forwardAdapters() }).data;
    const hf = exportMergedModel(cfg, merged, chat.tokenizer);
    const back = loadModel({ config: hf['config.json'], safetensors: hf['model.safetensors'], tokenizer: hf['tokenizer.json'] }).model;
    expect(maxDiff(back.forward(ids, 1, ids.length, { noGrad: true }).data, ref)).toBeLessThan(1e-5);
    const g = importGGUF(exportMergedGGUF(cfg, merged, chat.tokenizer, 'f32'));
    expect(maxDiff(new TinyLM(g.config, g.weights).forward(ids, 1, ids.length, { noGrad: true }).data, ref)).toBeLessThan(1e-5);
  });
});

describe('llama.cpp LoRA GGUF', () => {
  it('base GGUF + (alpha/r)·B·A from the adapter GGUF = the merged GGUF, tensor by tensor (q/k permuted alike)', () => {
    const a = trainedLike(cfg, ['q', 'k', 'v', 'down']);
    const file = readGGUF(exportLoraGGUF(a, cfg));
    expect(file.metadata.get('general.type')!.value).toBe('adapter');
    expect(file.metadata.get('adapter.type')!.value).toBe('lora');
    const alpha = file.metadata.get('adapter.lora.alpha')!.value as number;
    const base = readGGUF(exportGGUF(cfg, chat.model.weights, chat.tokenizer, 'f32'));
    const merged = readGGUF(exportMergedGGUF(cfg, a.merged(chat.model.weights), chat.tokenizer, 'f32'));
    const get = (f: ReturnType<typeof readGGUF>, n: string) => f.tensors.find((t) => t.name === n)!;
    let checked = 0;
    for (const t of file.tensors.filter((x) => x.name.endsWith('.lora_a'))) {
      const w = t.name.replace(/\.lora_a$/, '');
      const A = ggufTensorToFloat32(t), B = ggufTensorToFloat32(get(file, `${w}.lora_b`));
      const [inn, r] = t.ne, out = get(file, `${w}.lora_b`).ne[1];
      const W0 = ggufTensorToFloat32(get(base, w)), W1 = ggufTensorToFloat32(get(merged, w));
      let worst = 0;
      for (let o = 0; o < out; o++)
        for (let i = 0; i < inn; i++) {
          let d = 0;
          for (let k = 0; k < r; k++) d += B[o * r + k] * A[k * inn + i];
          worst = Math.max(worst, Math.abs(W0[o * inn + i] + (alpha / r) * d - W1[o * inn + i]));
        }
      expect(worst, w).toBeLessThan(1e-6);
      checked++;
    }
    expect(checked).toBe(3 * 4);
  });
});

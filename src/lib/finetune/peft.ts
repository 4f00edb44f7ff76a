/**
 * Hugging Face PEFT adapter folders for TinyLM LoRA adapters, and the merged model's files.
 *
 *   adapter_config.json        { peft_type: "LORA", r, lora_alpha, target_modules, base_model_name_or_path, … }
 *   adapter_model.safetensors  base_model.model.<module path>.lora_A.weight  [r, in]
 *                              base_model.model.<module path>.lora_B.weight  [out, r]
 *
 * e.g. base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight (PEFT strips the in-memory
 * adapter name "default" on save). `PeftModel.from_pretrained(LlamaForCausalLM(...), folder)` loads
 * it over the base exported by `saveModel`. Bad files become a LabError with the next step.
 */
import { LabError } from '../errors';
import { loadSafetensors, saveModel, saveSafetensors, type SavedModel } from '../tinylm/checkpoint';
import type { TinyLMConfig, TinyLMWeights } from '../tinylm/contract';
import { exportGGUF } from '../tinylm/gguf';
import { TinyLM } from '../tinylm/model';
import { ALL_LINEAR, LoraAdapter, PEFT_MODULE, adaptedShapes, type LoraConfig, type LoraTarget } from '../tinylm/lora';
import type { QuantType } from '../tinylm/quant';
import type { Tokenizer } from '../tokenizer';

/** The two files of a PEFT adapter folder. */
export interface PeftFiles {
  'adapter_config.json': string;
  'adapter_model.safetensors': Uint8Array;
}

const PREFIX = 'base_model.model.';

/** The safetensors key of an adapted weight's A or B ("model.layers.0.self_attn.q_proj.weight" → …lora_A.weight). */
export function peftKey(weight: string, which: 'A' | 'B'): string {
  return `${PREFIX}${weight.replace(/\.weight$/, '')}.lora_${which}.weight`;
}

/** Writes an adapter as a PEFT folder (adapter_config.json + adapter_model.safetensors). */
export function exportPeftAdapter(adapter: LoraAdapter, baseModel: string): PeftFiles {
  const c = adapter.config;
  const config = {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    r: c.r,
    lora_alpha: c.alpha,
    lora_dropout: c.dropout,
    use_rslora: !!c.rslora,
    target_modules: c.targets.map((t) => PEFT_MODULE[t]),
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    modules_to_save: null,
    layers_to_transform: null,
    rank_pattern: {},
    alpha_pattern: {},
    use_dora: false,
    revision: null,
  };
  const tensors: TinyLMWeights = new Map();
  for (const l of adapter.layers.values()) {
    tensors.set(peftKey(l.weight, 'A'), { shape: l.A.shape.slice(), data: l.A.data });
    tensors.set(peftKey(l.weight, 'B'), { shape: l.B.shape.slice(), data: l.B.data });
  }
  return {
    'adapter_config.json': JSON.stringify(config, null, 2) + '\n',
    'adapter_model.safetensors': saveSafetensors(tensors, { format: 'pt' }),
  };
}

const bad = (message: string, hint: string) => new LabError('bad-format', message, hint);

/** Reads adapter_config.json into a LoraConfig (throws LabError on anything PEFT would not load here). */
export function parsePeftConfig(text: string): LoraConfig & { baseModel: string } {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text);
  } catch {
    throw bad('adapter_config.json is not valid JSON.', 'Choose the adapter_config.json file of a PEFT adapter folder.');
  }
  if (typeof j !== 'object' || j === null || j.peft_type !== 'LORA')
    throw bad(`This adapter's peft_type is ${JSON.stringify(j?.peft_type)}, not "LORA".`, 'Only LoRA adapters can be loaded here.');
  const r = Number(j.r ?? 8), alpha = Number(j.lora_alpha ?? 8);
  if (!Number.isInteger(r) || r < 1 || !(alpha > 0)) throw bad(`adapter_config.json has r = ${j.r} and lora_alpha = ${j.lora_alpha}.`, 'r must be a positive integer and lora_alpha positive.');
  const mods = j.target_modules === 'all-linear' ? ALL_LINEAR.map((t) => PEFT_MODULE[t]) : j.target_modules;
  if (!Array.isArray(mods) || !mods.length) throw bad('adapter_config.json lists no target_modules.', 'Export the adapter again from PEFT or from this lab.');
  const targets: LoraTarget[] = [];
  for (const m of mods) {
    const t = ALL_LINEAR.find((x) => PEFT_MODULE[x] === m);
    if (!t) throw bad(`Target module "${String(m)}" does not exist in TinyLM.`, `TinyLM's linear layers are ${ALL_LINEAR.map((x) => PEFT_MODULE[x]).join(', ')}.`);
    targets.push(t);
  }
  const dropout = Number(j.lora_dropout ?? 0);
  return {
    r, alpha, dropout: dropout >= 0 && dropout < 1 ? dropout : 0, targets, rslora: j.use_rslora === true,
    baseModel: typeof j.base_model_name_or_path === 'string' ? j.base_model_name_or_path : '',
  };
}

/**
 * Loads a PEFT adapter folder for a model of shape `model`. Rejects (LabError 'bad-format') a
 * corrupt safetensors file, missing tensors, and tensors shaped for another model.
 */
export function importPeftAdapter(files: { config: string; safetensors: Uint8Array }, model: TinyLMConfig): { adapter: LoraAdapter; baseModel: string } {
  const { baseModel, ...cfg } = parsePeftConfig(files.config);
  let tensors: TinyLMWeights;
  try {
    tensors = loadSafetensors(files.safetensors).weights;
  } catch (e) {
    throw new LabError('bad-format', 'adapter_model.safetensors could not be read: its header is damaged or it is not a safetensors file.',
      'Choose the adapter_model.safetensors file saved with this adapter_config.json.', { cause: e });
  }
  const rec: Parameters<typeof LoraAdapter.fromRecord>[2] = {};
  for (const [layer, t, out, inn] of adaptedShapes(model, cfg.targets)) {
    const w = `model.layers.${layer}.${t === 'gate' || t === 'up' || t === 'down' ? 'mlp' : 'self_attn'}.${PEFT_MODULE[t]}.weight`;
    const A = tensors.get(peftKey(w, 'A')), B = tensors.get(peftKey(w, 'B'));
    if (!A || !B) throw bad(`The adapter has no lora_A/lora_B for ${w}.`, `It was made for a model with other layers; this model has ${model.nLayers} layers.`);
    const want = (s: number[], e: number[]) => s.length === e.length && s.every((x, i) => x === e[i]);
    if (!want(A.shape, [cfg.r, inn]) || !want(B.shape, [out, cfg.r]))
      throw bad(`The adapter's ${w} has lora_A [${A.shape}] and lora_B [${B.shape}]; this model needs [${cfg.r}, ${inn}] and [${out}, ${cfg.r}].`,
        'The adapter was trained for a model of another shape: load it over the model it was made for.');
    rec[w] = { A: A.data, B: B.data, shapeA: A.shape, shapeB: B.shape };
  }
  return { adapter: LoraAdapter.fromRecord(model, cfg, rec), baseModel };
}

/** The merged model (base + adapter folded in) as Hugging Face files. */
export function exportMergedModel(config: TinyLMConfig, merged: TinyLMWeights, tokenizer: Tokenizer): SavedModel {
  return saveModel(new TinyLM(config, merged), tokenizer, { merged_lora: 'true' });
}

/** The merged model as a GGUF file llama.cpp loads (`exportGGUF`). */
export function exportMergedGGUF(config: TinyLMConfig, merged: TinyLMWeights, tokenizer: Tokenizer, type: QuantType = 'f32', name = 'TinyLM-LoRA'): Uint8Array {
  return exportGGUF(config, merged, tokenizer, type, name);
}

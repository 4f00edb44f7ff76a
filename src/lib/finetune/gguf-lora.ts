/**
 * A LoRA adapter as a llama.cpp GGUF adapter (what `convert_lora_to_gguf.py` writes; loaded with
 * `llama-cli -m base.gguf --lora adapter.gguf`):
 *
 *   general.type = "adapter", general.architecture = "llama", adapter.type = "lora",
 *   adapter.lora.alpha (f32);  tensors <base tensor name>.lora_a  [r, in]  (ne = [in, r])
 *                                      <base tensor name>.lora_b  [out, r] (ne = [r, out])
 *   llama.cpp adds (alpha / r) · B · A to the base weight.
 *
 * Two conversions our base export also makes: q/k rows are permuted to llama.cpp's adjacent-pair
 * rotary layout (the rows of B, since ΔW's rows are B's rows), and rsLoRA's alpha/√r is written as
 * an alpha of alpha·√r (llama.cpp always divides by r).
 */
import type { TinyLMConfig } from '../tinylm/contract';
import { GGMLType, ggufName, gv, permuteRotaryRows, writeGGUF, type GGUFTensorIn } from '../tinylm/gguf';
import type { LoraAdapter } from '../tinylm/lora';

const bytes = (f: Float32Array) => new Uint8Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength));

/** Writes an adapter as a llama.cpp LoRA GGUF for the base exported by `exportGGUF(config, …)`. */
export function exportLoraGGUF(adapter: LoraAdapter, config: TinyLMConfig, name = 'TinyLM LoRA'): Uint8Array {
  const { r, alpha, rslora } = adapter.config;
  const tensors: GGUFTensorIn[] = [];
  for (const l of adapter.layers.values()) {
    const base = ggufName(l.weight);
    if (!base) throw new RangeError(`no llama.cpp name for ${l.weight}`);
    let B = l.B.data;
    if (l.target === 'q') B = permuteRotaryRows(B, config.nHeads, r);
    if (l.target === 'k') B = permuteRotaryRows(B, config.nKvHeads, r);
    tensors.push({ name: `${base}.lora_a`, shape: l.A.shape.slice(), type: GGMLType.F32, data: bytes(l.A.data) });
    tensors.push({ name: `${base}.lora_b`, shape: l.B.shape.slice(), type: GGMLType.F32, data: bytes(B) });
  }
  return writeGGUF([
    ['general.architecture', gv.str('llama')],
    ['general.type', gv.str('adapter')],
    ['general.name', gv.str(name)],
    ['general.alignment', gv.u32(32)],
    ['adapter.type', gv.str('lora')],
    ['adapter.lora.alpha', gv.f32(rslora ? alpha * Math.sqrt(r) : alpha)],
  ], tensors);
}

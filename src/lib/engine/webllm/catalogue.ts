/**
 * WebLLM's prebuilt models as a catalogue the model manager can show, and a recommendation per
 * model from the device's capabilities: what runs well here, what won't and why.
 *
 * The raw records come from web-llm's `prebuiltAppConfig.model_list` (copied into
 * `catalogue-data.ts` by `npx tsx src/lib/engine/webllm/generate-catalogue.ts`, so listing models
 * never loads web-llm's 6 MB bundle). Framework-free.
 */
import { formatBytes } from '../../format/bytes';
import type { Capabilities } from '../../capabilities/detect';
import type { ModelInfo } from '../types';
import { f32Variant } from './errors';

/** The fields of web-llm's `ModelRecord` the catalogue uses. */
export interface ModelRecordLike {
  model_id: string;
  /** Hugging Face URL of the weights (several ids, e.g. "-1k" variants, share one). */
  model?: string;
  /** URL of the compiled model library (wasm); several models can share one. */
  model_lib?: string;
  vram_required_MB?: number;
  low_resource_required?: boolean;
  buffer_size_required_bytes?: number;
  required_features?: string[];
  /** web-llm's ModelType: 0 = LLM, 1 = embedding, 2 = VLM (vision) */
  model_type?: number;
  overrides?: { context_window_size?: number; sliding_window_size?: number };
}

export type Capability = ModelInfo['capabilities'][number];

export interface CatalogueEntry {
  id: string;
  /** Where web-llm downloads the weights from (its cache keys start with this + "resolve/main/"). */
  url: string | null;
  /** The compiled model library web-llm caches in "webllm/wasm". */
  modelLib: string | null;
  /** Model name without quantisation and variant suffixes ("SmolLM2-360M-Instruct"). */
  family: string;
  /** "q4f16_1", "q4f32_1", "q0f32", "q3f16_1" */
  quantization: string;
  /** Parameters, estimated from the id (null when the id does not say). */
  params: number | null;
  needsShaderF16: boolean;
  vramMB: number;
  /** Estimated download in bytes (parameters × bits per weight); null when params are unknown. */
  downloadBytesEstimate: number | null;
  contextWindow: number;
  lowResource: boolean;
  bufferBytesRequired: number | null;
  kind: 'chat' | 'embedding' | 'vision';
  capabilities: Capability[];
}

// Parameter counts for ids that don't spell them out.
const KNOWN_PARAMS: Array<[RegExp, number]> = [
  [/^phi-2/i, 2.7e9],
  [/^phi-1_5/i, 1.3e9],
  [/^Phi-3\.5-vision/i, 4.2e9],
  [/^Phi-(3|3\.5|4)-mini/i, 3.8e9],
  [/snowflake-arctic-embed-m/i, 110e6],
  [/snowflake-arctic-embed-s/i, 33e6],
];

/** Parameter count from a model id ("Qwen2.5-0.5B-…" → 5e8), or null. */
export function paramsFromId(id: string): number | null {
  for (const [re, n] of KNOWN_PARAMS) if (re.test(id)) return n;
  const m = /(?:^|[-_E])(\d+(?:[._]\d+)?)([BbMm])(?=[-_]|$)/.exec(id);
  if (!m) return null;
  const value = Number(m[1]!.replace('_', '.'));
  return m[2]!.toLowerCase() === 'b' ? value * 1e9 : value * 1e6;
}

/** Bytes per weight of an MLC quantisation code (4-bit groups carry an f16 scale per 32 weights). */
export function bytesPerWeight(quantization: string): number {
  const m = /^q(\d)f(16|32)/.exec(quantization);
  if (!m) return 2;
  const bits = Number(m[1]);
  if (bits === 0) return Number(m[2]) / 8; // unquantised
  return (bits + 0.5) / 8;
}

/** One catalogue entry from a web-llm model record. */
export function toCatalogueEntry(rec: ModelRecordLike, toolModelIds: readonly string[] = []): CatalogueEntry {
  const quant = /-(q\d+f\d+(?:_\d)?)-MLC/.exec(rec.model_id)?.[1] ?? 'unknown';
  const family = rec.model_id.replace(/-q\d+f\d+(?:_\d)?-MLC.*$/, '');
  const params = paramsFromId(rec.model_id);
  const kind = rec.model_type === 1 ? 'embedding' : rec.model_type === 2 ? 'vision' : 'chat';
  const needsF16 = (rec.required_features ?? []).includes('shader-f16') || /q\df16/.test(quant);
  const capabilities: Capability[] =
    kind === 'embedding' ? ['embeddings'] : kind === 'vision' ? ['chat', 'vision', 'json_schema', 'logprobs'] : ['chat', 'json_schema', 'logprobs'];
  if (toolModelIds.includes(rec.model_id)) capabilities.push('tools');
  const ctxFromSuffix = /-b(\d+)$/.test(rec.model_id) ? 512 : 4096;
  return {
    id: rec.model_id,
    url: rec.model ?? null,
    modelLib: rec.model_lib ?? null,
    family,
    quantization: quant,
    params,
    needsShaderF16: needsF16,
    vramMB: rec.vram_required_MB ?? 0,
    downloadBytesEstimate: params === null ? null : Math.round(params * bytesPerWeight(quant)),
    contextWindow: rec.overrides?.context_window_size ?? ctxFromSuffix,
    lowResource: Boolean(rec.low_resource_required),
    bufferBytesRequired: rec.buffer_size_required_bytes ?? null,
    kind,
    capabilities,
  };
}

/** The whole catalogue, smallest models first within each kind. */
export function buildCatalogue(records: readonly ModelRecordLike[], toolModelIds: readonly string[] = []): CatalogueEntry[] {
  const order = { chat: 0, vision: 1, embedding: 2 } as const;
  return records
    .map((r) => toCatalogueEntry(r, toolModelIds))
    .sort((a, b) => order[a.kind] - order[b.kind] || a.vramMB - b.vramMB || a.id.localeCompare(b.id));
}

/** The shared ModelInfo shape for a catalogue entry. */
export function toModelInfo(e: CatalogueEntry): ModelInfo {
  return {
    id: e.id,
    engine: 'webllm',
    displayName: `${e.family} (${e.quantization})`,
    contextWindow: e.contextWindow,
    capabilities: e.capabilities,
    downloadBytes: e.downloadBytesEstimate ?? undefined,
    vramBytes: Math.round(e.vramMB * 1024 * 1024),
  };
}

export type Verdict = 'good' | 'slow' | 'risky' | 'no';

export interface Recommendation {
  verdict: Verdict;
  /** Plain-words reasons, most important first. */
  reasons: string[];
  /** A model id to use instead (e.g. the q4f32 twin), when one helps. */
  alternative?: string;
}

const GB = 1024;
const fmtGB = (mb: number) => formatBytes(mb * 1024 * 1024);
const fmtMB = (bytes: number) => formatBytes(bytes);

/** What to expect from `entry` on the device described by `caps`. */
export function recommend(entry: CatalogueEntry, caps: Capabilities, knownIds?: readonly string[]): Recommendation {
  const gpu = caps.webgpu;
  if (!gpu) {
    return { verdict: 'no', reasons: [`No WebGPU here: ${caps.webgpuProblem ?? 'the browser does not expose it'}. Use the built-in TinyLM models or a remote endpoint.`] };
  }
  if (entry.needsShaderF16 && !gpu.shaderF16) {
    const alt = f32Variant(entry.id, knownIds) ?? undefined;
    return {
      verdict: 'no',
      reasons: [`Needs the shader-f16 GPU feature, which this GPU/browser lacks.${alt ? ` Use ${alt} instead.` : ' Pick a q4f32 model.'}`],
      alternative: alt,
    };
  }
  const limit = gpu.limits.maxStorageBufferBindingSize;
  if (entry.bufferBytesRequired && entry.bufferBytesRequired > limit) {
    return { verdict: 'no', reasons: [`Needs ${fmtMB(entry.bufferBytesRequired)} GPU storage buffers; this GPU allows ${fmtMB(limit)}.`] };
  }
  const reasons: string[] = [];
  let verdict: Verdict = 'good';
  const worse = (v: Verdict) => {
    const rank: Record<Verdict, number> = { good: 0, slow: 1, risky: 2, no: 3 };
    if (rank[v] > rank[verdict]) verdict = v;
  };
  if (gpu.isFallbackAdapter || /swiftshader/i.test(`${gpu.vendor} ${gpu.description} ${gpu.architecture}`)) {
    if (entry.vramMB > 800) {
      worse('no');
      reasons.push('This is a software GPU (CPU emulation): a model this size would take minutes per token.');
    } else {
      worse('slow');
      reasons.push('This is a software GPU (CPU emulation): it runs, but slowly.');
    }
  }
  const ram = caps.deviceMemoryGiB;
  if (ram !== null && entry.vramMB > ram * GB * 0.75) {
    worse('risky');
    reasons.push(`Needs about ${fmtGB(entry.vramMB)} of GPU memory; this device reports ${ram} GB of RAM (browsers report at most 8).`);
  } else if (ram === null && entry.vramMB > 6 * GB) {
    worse('risky');
    reasons.push(`Needs about ${fmtGB(entry.vramMB)} of GPU memory: a discrete GPU or a 16 GB+ Apple Silicon Mac.`);
  }
  if (limit < 1024 ** 3 && !entry.lowResource) {
    worse('risky');
    reasons.push(`This GPU's buffer limit (${fmtMB(limit)}) suggests a low-end or mobile GPU; models marked “low resource” are safer.`);
  }
  if (verdict === 'good') reasons.push(`Should run well: needs about ${fmtGB(entry.vramMB)} of GPU memory${entry.lowResource ? ', fine on integrated GPUs' : ''}.`);
  return { verdict, reasons };
}

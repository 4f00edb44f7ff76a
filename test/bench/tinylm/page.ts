/**
 * Browser side of the decode bench: the same GGUF bytes run in llama.cpp (wllama, WebAssembly,
 * one thread) and in our TinyLM (weights read back from the GGUF with importGGUF, so both use
 * exactly the same numbers; ours computes in F32 whatever the file type), ours twice: with the
 * WebAssembly SIMD kernel (the default) and with the plain JS kernels.
 */
import { importGGUF } from '../../../src/lib/tinylm/gguf';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { TinyLMSession } from '../../../src/lib/tinylm/session';
import { loadWllama, oursGreedy, wllamaGreedy } from '../../browser/tinylm/wllama-harness';

export interface DecodeArgs {
  url: string;
  prompt: string;
  promptIds: number[];
  n: number;
  banned: number[];
}

export interface DecodeFigures {
  llamaDecode: number;
  llamaPrefill: number;
  oursDecode: number; // SIMD kernel where available
  oursPrefill: number;
  oursKernel: 'simd' | 'js';
  oursJsDecode: number; // JS kernels ({ simd: false })
  oursJsPrefill: number;
  sameTokens: number; // greedy tokens equal to ours (prefix length)
  sameJsTokens: number; // ours SIMD vs ours JS (prefix length)
  threads: number;
}

function greedyTimed(model: TinyLM, promptIds: number[], n: number, banned: number[], simd: boolean) {
  const s = new TinyLMSession(model, { simd });
  const t0 = performance.now();
  let logits = s.append(promptIds);
  const t1 = performance.now();
  const ban = new Uint8Array(model.config.vocabSize);
  for (const id of banned) ban[id] = 1;
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (let j = 0; j < logits.length; j++) if (!ban[j] && (best < 0 || logits[j] > logits[best])) best = j;
    ids.push(best);
    if (i < n - 1) logits = s.append([best]);
  }
  const t2 = performance.now();
  return { ids, prefill: promptIds.length / ((t1 - t0) / 1000), decode: (n - 1) / ((t2 - t1) / 1000) };
}

async function runDecode(a: DecodeArgs): Promise<DecodeFigures> {
  const bytes = new Uint8Array(await (await fetch(a.url)).arrayBuffer());
  const { config, weights } = importGGUF(bytes);
  const model = new TinyLM(config, weights);
  oursGreedy(model, a.promptIds, 16, a.banned); // warm-up (JIT)
  // Best of 3 on each side: the machine is shared, the fastest run is the least disturbed.
  const best = (simd: boolean) => {
    greedyTimed(model, a.promptIds, 16, a.banned, simd); // warm-up of this kernel
    const runs = [0, 1, 2].map(() => greedyTimed(model, a.promptIds, a.n, a.banned, simd));
    return { ids: runs[0].ids, decode: Math.max(...runs.map((r) => r.decode)), prefill: Math.max(...runs.map((r) => r.prefill)) };
  };
  const ours = best(true);
  const oursJs = best(false);
  const oursKernel = new TinyLMSession(model).kernel;
  const w = await loadWllama(bytes, 1024);
  try {
    await wllamaGreedy(w, a.prompt, 16, a.banned); // warm-up (wasm tier-up)
    const llamaRuns = [];
    for (let i = 0; i < 3; i++) llamaRuns.push(await wllamaGreedy(w, a.prompt, a.n, a.banned));
    const llama = {
      ids: llamaRuns[0].ids,
      decodePerSecond: Math.max(...llamaRuns.map((r) => r.decodePerSecond)),
      prefillPerSecond: Math.max(...llamaRuns.map((r) => r.prefillPerSecond)),
    };
    const prefix = (x: number[], y: number[]) => {
      let same = 0;
      while (same < a.n && x[same] === y[same]) same++;
      return same;
    };
    return {
      llamaDecode: llama.decodePerSecond, llamaPrefill: llama.prefillPerSecond,
      oursDecode: ours.decode, oursPrefill: ours.prefill, oursKernel,
      oursJsDecode: oursJs.decode, oursJsPrefill: oursJs.prefill,
      sameTokens: prefix(llama.ids, ours.ids), sameJsTokens: prefix(oursJs.ids, ours.ids), threads: w.getNumThreads(),
    };
  } finally {
    await w.exit();
  }
}

(window as unknown as { tinylmBench: unknown }).tinylmBench = { runDecode };
document.body.dataset.ready = '1';

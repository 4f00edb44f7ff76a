/**
 * Inference optimisation on the shipped TinyLM models (lesson 3.1), side by side in one run:
 *  1. Speculative decoding (target tinylm-base, draft tinylm-draft) against plain decoding of the
 *     same target: α̂, tokens per target call vs (1 − α^(γ+1))/(1 − α), the cost ratios c and b,
 *     and the measured wall-clock speedup, for several γ, greedy and sampling.
 *  2. The KV cache: greedy decoding with and without it (identical tokens, total time).
 *  3. Quantization: size, bits/weight (of the format, and of the whole file), held-out perplexity,
 *     KL and agreement with F32, decode tokens/s for F32, F16, Q8_0, Q4_0, NF4, RTN int4 and AWQ
 *     int4 — tinylm-base on stories, tinylm-chat on held-out ChatML conversations (its format),
 *     each calibrated on its own format; the bar: AWQ's perplexity increase ≤ RTN int4's.
 *  4. Serving: a seeded workload under static vs continuous batching over the paged KV cache —
 *     throughput, tokens per step, TTFT/latency p50/p95, cache utilisation, outputs vs running alone;
 *     and the OpenAI-compatible endpoint's handler over the live continuous batcher (what the
 *     service worker relays to), the same requests one at a time vs all at once.
 * With `--write` it saves the figures to src/curriculum/lessons/3.1/measured.json, which the
 * lesson text imports (never retype them).
 *
 * Run: npm run bench inference [-- --write] [--only=quantization,serving]   (about a minute on 2 cores)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../src/lib/tinylm/checkpoint';
import { CORPUS_SEEDS, makeStories } from '../../src/lib/tinylm/corpus';
import { measureSpeculative, type SpecMeasurement } from '../../src/lib/inference/spec-measure';
import { expectedSpeedup, expectedTokensPerCall } from '../../src/lib/inference/speculative';
import { kvDecode, kvMemory } from '../../src/lib/inference/kv-measure';
import { DEFAULT_QUANT_REQUEST, quantizeModelVariants, textFor, type QuantRow } from '../../src/lib/inference/quant-measure';
import { compareBatching, DEFAULT_SERVING } from '../../src/lib/inference/serving-measure';
import { createServingEngine } from '../../src/lib/inference/serving-engine';
import { createOpenAIHandler } from '../../src/lib/inference/openai-server';
import { compareEndpoint, DEFAULT_ENDPOINT, type EndpointRun } from '../../src/lib/inference/endpoint-measure';
import type { ModelInfo } from '../../src/lib/engine/types';

const OUT = 'src/curriculum/lessons/3.1/measured.json';
const GAMMAS = [1, 2, 4, 6];
const PROMPTS = 6;
const TOKENS = 120;

function shipped(name: string) {
  const dir = `public/models/${name}`;
  return loadModel({ config: readFileSync(`${dir}/config.json`, 'utf8'), safetensors: readFileSync(`${dir}/model.safetensors`), tokenizer: readFileSync(`${dir}/tokenizer.json`, 'utf8') });
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const pad = (s: string, n: number) => s.padStart(n);

/** Aggregates per-prompt measurements of one setting into one row. */
function aggregate(ms: SpecMeasurement[]) {
  const sum = (k: (m: SpecMeasurement) => number) => ms.reduce((a, m) => a + k(m), 0);
  const tokens = sum((m) => m.tokens.length), calls = sum((m) => m.targetCalls);
  const alpha = sum((m) => m.accepted) / sum((m) => m.trials);
  const gamma = ms[0].gamma;
  const c = sum((m) => m.c) / ms.length, b = sum((m) => m.b) / ms.length;
  const theory = expectedTokensPerCall(alpha, gamma);
  return {
    gamma, mode: ms[0].mode, prompts: ms.length, tokens, targetCalls: calls,
    identical: ms.every((m) => m.mode !== 'greedy' || (m.tokens.length === m.plainTokens.length && m.tokens.every((t, i) => t.id === m.plainTokens[i]))),
    alpha, tokensPerCall: tokens / calls, theoryTokensPerCall: theory,
    specMsPerToken: sum((m) => m.specMs) / tokens, plainMsPerToken: sum((m) => m.plainMs) / sum((m) => m.plainTokens.length),
    speedup: (sum((m) => m.plainMs) / sum((m) => m.plainTokens.length)) / (sum((m) => m.specMs) / tokens),
    c, b, predictedSpeedup: expectedSpeedup(alpha, gamma, c, b), paperSpeedup: expectedSpeedup(alpha, gamma, c, 1),
    breakEvenCGpu: (theory - 1) / gamma,
  };
}

function speculativeBench() {
  const t = shipped('tinylm-base'), d = shipped('tinylm-draft');
  // Story openings from the held-out seed: the first sentence of each.
  const prompts = makeStories(PROMPTS, CORPUS_SEEDS.valStories).map((s) => [0, ...t.tokenizer.encode(s.split('. ')[0] + '.', { allowedSpecial: [] })]);
  console.log(`\nSpeculative decoding: target tinylm-base (${(t.model.parameterCount / 1e3).toFixed(0)} k), draft tinylm-draft (${(d.model.parameterCount / 1e3).toFixed(0)} k), ${PROMPTS} held-out story openings × ${TOKENS} tokens`);
  console.log(`${pad('mode', 7)} ${pad('γ', 2)} ${pad('α̂', 5)} ${pad('tok/call', 8)} ${pad('theory', 6)} ${pad('c', 5)} ${pad('b', 5)} ${pad('ms/tok spec', 11)} ${pad('plain', 6)} ${pad('speedup', 7)} ${pad('predicted', 9)} ${pad('if b=1', 6)} same`);
  const rows = [];
  for (const [mode, gammas] of [['greedy', GAMMAS], ['sample', [4]]] as const) {
    for (const gamma of gammas) {
      const ms = prompts.map((p, i) => measureSpeculative(t.model, d.model, { prompt: p, gamma, mode, temperature: 1, seed: 1 + i, maxTokens: TOKENS, stopIds: [0], reps: 3 }));
      const r = aggregate(ms);
      rows.push(r);
      console.log(`${pad(mode, 7)} ${pad(String(gamma), 2)} ${pad(f(r.alpha), 5)} ${pad(f(r.tokensPerCall), 8)} ${pad(f(r.theoryTokensPerCall), 6)} ${pad(f(r.c), 5)} ${pad(f(r.b), 5)} ${pad(f(r.specMsPerToken, 3), 11)} ${pad(f(r.plainMsPerToken, 3), 6)} ${pad(f(r.speedup) + '×', 7)} ${pad(f(r.predictedSpeedup) + '×', 9)} ${pad(f(r.paperSpeedup) + '×', 6)} ${mode === 'greedy' ? (r.identical ? 'yes' : 'NO') : 'n/a'}`);
    }
  }
  return rows;
}

function kvBench() {
  const { model, tokenizer } = shipped('tinylm-base');
  const prompt = [0, ...tokenizer.encode('One day, a little boy named Ben went to the park.', { allowedSpecial: [] })];
  const r = kvDecode(model, prompt, 200, String, undefined, 3);
  const mem = kvMemory('gqa', model.config), mha = kvMemory('mha', { ...model.config, nKvHeads: model.config.nHeads });
  console.log(`\nKV cache: ${r.cachedIds.length} greedy tokens after ${prompt.length}: identical ${r.identical ? 'yes' : 'NO'}; ${f(r.cachedTotalMs, 1)} ms with the cache vs ${f(r.uncachedTotalMs, 1)} ms without (${f(r.uncachedTotalMs / r.cachedTotalMs, 1)}×); slope ${f(r.cachedSlope * 1000, 3)} vs ${f(r.uncachedSlope * 1000, 2)} µs per position`);
  console.log(`  memory per token: formula ${mem.formulaBytesPerToken} B, buffers ${mem.bufferBytesPerToken} B; full MHA ${mha.bufferBytesPerToken} B (${mha.bufferBytesPerToken / mem.bufferBytesPerToken}×)`);
  return { tokens: r.cachedIds.length, identical: r.identical, cachedMs: r.cachedTotalMs, uncachedMs: r.uncachedTotalMs, cachedSlopeMs: r.cachedSlope, uncachedSlopeMs: r.uncachedSlope, bytesPerToken: mem.bufferBytesPerToken, mhaBytesPerToken: mha.bufferBytesPerToken, windowBytes: mem.windowBytes };
}

function quantBench(name: string): QuantRow[] {
  const { model, tokenizer } = shipped(name);
  const req = { ...DEFAULT_QUANT_REQUEST, text: textFor(name) };
  const what = req.text === 'chat' ? 'ChatML conversations (perplexity of the replies)' : 'stories';
  console.log(`\nQuantization of ${name}: ${req.evalItems} held-out ${what}; AWQ calibrated on ${req.calibItems} training ${req.text === 'chat' ? 'conversations' : 'stories'}`);
  console.log(`${pad('format', 13)} ${pad('KiB', 6)} ${pad('bits/w', 6)} ${pad('file', 6)} ${pad('ppl', 7)} ${pad('Δppl', 7)} ${pad('KL', 8)} ${pad('top-1', 6)} ${pad('greedy', 6)} ${pad('tokens', 6)} ${pad('tok/s', 6)}`);
  const rows = quantizeModelVariants(model, tokenizer, req, (r) =>
    console.log(`${pad(r.label, 13)} ${pad(f(r.bytes / 1024, 0), 6)} ${pad(f(r.bitsPerWeight, 3), 6)} ${pad(f(r.fileBitsPerWeight, 2), 6)} ${pad(f(r.perplexity, 4), 7)} ${pad((r.pplIncrease * 100).toFixed(2) + '%', 7)} ${pad(r.klToF32.toExponential(1), 8)} ${pad(f(r.top1Agreement * 100, 1) + '%', 6)} ${pad(`${r.greedySame}/${r.greedyTotal}`, 6)} ${pad(f(r.greedyTokenAgreement * 100, 0) + '%', 6)} ${pad(f(r.decodeTokensPerSecond, 0), 6)}`));
  const awq = rows.find((r) => r.variant === 'int4-awq')!, rtn = rows.find((r) => r.variant === 'int4-rtn')!;
  console.log(`  bits/w: of the format, over the matrices stored in it; file: 8 · bytes / all parameters (norms F32; NF4 and int4 keep the embedding in F16)`);
  console.log(`  AWQ vs RTN int4: Δppl ${(awq.pplIncrease * 100).toFixed(2)}% vs ${(rtn.pplIncrease * 100).toFixed(2)}% (${awq.pplIncrease <= rtn.pplIncrease ? 'AWQ ≤ RTN: bar met' : 'AWQ WORSE than RTN: bar NOT met'}), KL ${awq.klToF32.toExponential(2)} vs ${rtn.klToF32.toExponential(2)}; α per group ${awq.awq!.map((a) => (a.alpha === null ? 'none' : a.alpha.toFixed(2))).join(' ')}`);
  const q4 = rows.find((r) => r.variant === 'q4_0')!, q4a = rows.find((r) => r.variant === 'q4_0-awq')!;
  console.log(`  AWQ in Q4_0 (the GGUF file) vs plain Q4_0: Δppl ${(q4a.pplIncrease * 100).toFixed(2)}% vs ${(q4.pplIncrease * 100).toFixed(2)}%, KL ${q4a.klToF32.toExponential(2)} vs ${q4.klToF32.toExponential(2)}`);
  const so = awq.awqScalesOnly!;
  console.log(`  AWQ's two searches: scales alone Δppl ${(so.pplIncrease * 100).toFixed(2)}%, KL ${so.klToF32.toExponential(2)}; scales + clipping Δppl ${(awq.pplIncrease * 100).toFixed(2)}%, KL ${awq.klToF32.toExponential(2)}`);
  return rows;
}

function servingBench() {
  const { model, tokenizer } = shipped('tinylm-base');
  const req = DEFAULT_SERVING;
  const r = compareBatching(model, tokenizer, req);
  console.log(`\nServing tinylm-base: ${req.requests} seeded requests (mean gap ${req.gap} steps, every second with a shared prefix), batch ≤ ${req.maxBatch}, ${req.numBlocks} blocks of 16`);
  console.log(`${pad('policy', 10)} ${pad('steps', 5)} ${pad('ms', 6)} ${pad('tok/s', 6)} ${pad('tok/step', 8)} ${pad('TTFT p50', 8)} ${pad('p95', 6)} ${pad('latency p50', 11)} ${pad('p95', 6)} ${pad('TPOT p50', 8)} ${pad('cache use', 9)}`);
  for (const p of [r.static, r.continuous]) console.log(`${pad(p.policy, 10)} ${pad(String(p.steps), 5)} ${pad(f(p.totalMs, 0), 6)} ${pad(f(p.tokensPerSecond, 0), 6)} ${pad(f(p.tokensPerStep), 8)} ${pad(f(p.ttft.p50, 1), 8)} ${pad(f(p.ttft.p95, 1), 6)} ${pad(f(p.latency.p50, 1), 11)} ${pad(f(p.latency.p95, 1), 6)} ${pad(f(p.tpot.p50), 8)} ${pad(f(p.utilisation * 100, 0) + '%', 9)}`);
  console.log(`  continuous / static throughput ${f(r.continuous.tokensPerSecond / r.static.tokensPerSecond)}×, p95 latency ${f(r.continuous.latency.p95 / r.static.latency.p95)}×; outputs identical to running alone: ${r.identical ? 'yes' : 'NO'}; copy-on-write copies ${r.continuous.copiesOnWrite}`);
  const row = (p: typeof r.static) => ({ steps: p.steps, totalMs: p.totalMs, tokens: p.tokens, tokensPerSecond: p.tokensPerSecond, tokensPerStep: p.tokensPerStep, ttftP50: p.ttft.p50, ttftP95: p.ttft.p95, latencyP50: p.latency.p50, latencyP95: p.latency.p95, tpotP50: p.tpot.p50, utilisation: p.utilisation });
  return { requests: req.requests, maxBatch: req.maxBatch, identical: r.identical, static: row(r.static), continuous: row(r.continuous) };
}

/** Sections to run: all, or those named by `--only=quantization,serving` (then `--write` replaces just those in measured.json). */
function sections(): Set<string> | null {
  const arg = process.argv.find((a) => a.startsWith('--only='));
  return arg ? new Set(arg.slice('--only='.length).split(',')) : null;
}

/** The endpoint's handler in Node (no service worker, no relay: the engine's own cost). */
async function endpointBench() {
  const loaded = new Map<string, ReturnType<typeof shipped> & { id: string }>();
  const loader = async (id: string) => loaded.get(id) ?? loaded.set(id, { id, ...shipped(id) }).get(id)!;
  const models = async (): Promise<ModelInfo[]> => ['tinylm-chat', 'tinylm-base'].map((id) => ({ id, engine: 'tinylm', displayName: id, contextWindow: 256, capabilities: ['chat', 'completion'] }));
  const engine = createServingEngine({ models, loader, maxBatch: 8 });
  const handler = createOpenAIHandler({ engine, models, completer: engine.completer });
  const w = DEFAULT_ENDPOINT;
  const r = await compareEndpoint((path, init) => handler(new Request(`http://bench${path}`, init)), w);
  const steps = engine.batcher.steps.slice(-200);
  console.log(`\nOpenAI endpoint (handler over the continuous batcher, batch ≤ 8): ${w.n} greedy ${w.kind} requests × ≤ ${w.maxTokens} tokens`);
  console.log(`${pad('clients', 14)} ${pad('ms', 6)} ${pad('tokens', 6)} ${pad('tok/s', 6)} ${pad('latency p50', 11)} ${pad('p95', 6)}`);
  for (const x of [r.oneAtATime, r.concurrent]) console.log(`${pad(x.mode, 14)} ${pad(f(x.wallMs, 0), 6)} ${pad(String(x.tokens), 6)} ${pad(f(x.tokensPerSecond, 0), 6)} ${pad(f(x.latencyP50, 1), 11)} ${pad(f(x.latencyP95, 1), 6)}`);
  const maxBatch = Math.max(...steps.map((s) => s.batch));
  console.log(`  concurrent / one at a time throughput ${f(r.concurrent.tokensPerSecond / r.oneAtATime.tokensPerSecond)}×; largest batch ${maxBatch}; replies identical: ${r.identical ? 'yes' : 'NO'}`);
  const row = (x: EndpointRun) => ({ wallMs: x.wallMs, tokens: x.tokens, tokensPerSecond: x.tokensPerSecond, latencyP50: x.latencyP50, latencyP95: x.latencyP95 });
  return { ...w, identical: r.identical, maxBatch, oneAtATime: row(r.oneAtATime), concurrent: row(r.concurrent) };
}

export default async function run(): Promise<void> {
  console.log(`Load average ${loadavg().map((x) => x.toFixed(2)).join(', ')} on ${cpus().length} cores.`);
  const only = sections();
  const want = (s: string) => !only || only.has(s);
  const results: Record<string, unknown> = {};
  if (want('speculative')) results.speculative = speculativeBench();
  if (want('kv')) results.kv = kvBench();
  if (want('quantization')) {
    results.quantization = { 'tinylm-base': quantBench('tinylm-base'), 'tinylm-chat': quantBench('tinylm-chat') };
    results.quantizationRequest = { evalItems: DEFAULT_QUANT_REQUEST.evalItems, calibItems: DEFAULT_QUANT_REQUEST.calibItems, prompts: DEFAULT_QUANT_REQUEST.prompts, greedyTokens: DEFAULT_QUANT_REQUEST.greedyTokens };
  }
  if (want('serving')) results.serving = { ...servingBench(), endpoint: await endpointBench() };
  if (process.argv.includes('--write')) {
    const stamp = { generatedBy: 'npm run bench inference -- --write', date: new Date().toISOString().slice(0, 10), cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, loadAverage: loadavg()[0] };
    // A partial run keeps the other sections as they were and records when its own were measured.
    const data = only ? { ...JSON.parse(readFileSync(OUT, 'utf8')), ...results, [`${[...only].join('+')}MeasuredOn`]: stamp } : { ...stamp, ...results };
    writeFileSync(OUT, JSON.stringify(data, null, 1) + '\n');
    console.log(`Wrote ${OUT}${only ? ` (sections ${[...only].join(', ')} only)` : ''}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();

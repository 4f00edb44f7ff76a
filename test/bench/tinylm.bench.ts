/**
 * TinyLM speed and memory, side by side with the baselines the TinyLM issue names:
 *  1. Decode tokens/s on the CPU, ours vs llama.cpp (`@wllama/wllama`, WebAssembly, one thread)
 *     on the same exported GGUF weights, both in headless Chromium (ours also in Node). Ours is
 *     measured with its WebAssembly SIMD kernel (the default) and with the plain JS kernels.
 *  2. Training tokens/s and peak memory, ours vs TensorFlow.js (WebAssembly backend, in Node)
 *     training the same llama-style configuration with the same recipe for the same steps;
 *     each side runs in its own process so max RSS is its own.
 *  3. Prefill vs decode tokens/s with and without the KV cache at several context lengths (ours).
 * Model: the shipped tinylm-base when present, else the same configuration with random weights
 * (speed does not depend on the weights' values).
 *
 * Run: npm run bench tinylm   (or: npx tsx test/bench/tinylm.bench.ts)
 */
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../vite.config';
import { loadModel } from '../../src/lib/tinylm/checkpoint';
import { TinyLM } from '../../src/lib/tinylm/model';
import { TinyLMSession } from '../../src/lib/tinylm/session';
import { BASE_CONFIG } from '../../src/lib/tinylm/presets';
import { exportGGUF } from '../../src/lib/tinylm/gguf';
import { Tokenizer, trainBPE } from '../../src/lib/tokenizer';
import { TINYLM_SPECIAL_TOKENS } from '../../src/lib/tinylm/contract';
import type { QuantType } from '../../src/lib/tinylm/quant';
import { bannedIds } from '../browser/tinylm/greedy';
import type { DecodeArgs, DecodeFigures } from './tinylm/page';

const PROMPT = '<|endoftext|>Once upon a time, there was a little girl named Lily. She liked to';
const DECODE_TOKENS = 64;
/** A wider random model, to see how both sides scale past per-token overheads. */
const WIDE = { ...BASE_CONFIG, dim: 256, nLayers: 4, nHeads: 4, nKvHeads: 2, ffnDim: 768 };
const TRAIN_STEPS = 3; // the first step (warm-up) is not timed
const CONTEXTS = [16, 64, 128, 200]; // + 32 decode steps stays within maxSeqLen 256

const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : '—');

function benchModel(): { model: TinyLM; tok: Tokenizer; source: string } {
  const dir = 'public/models/tinylm-base';
  if (existsSync(`${dir}/model.safetensors`)) {
    const { model, tokenizer } = loadModel({
      config: readFileSync(`${dir}/config.json`, 'utf8'),
      safetensors: readFileSync(`${dir}/model.safetensors`),
      tokenizer: readFileSync(`${dir}/tokenizer.json`, 'utf8'),
    });
    return { model, tok: tokenizer, source: 'shipped tinylm-base' };
  }
  const specials = [...TINYLM_SPECIAL_TOKENS];
  const tok = existsSync('public/models/tokenizer.json')
    ? Tokenizer.fromHFJson(readFileSync('public/models/tokenizer.json', 'utf8'))
    : (() => {
        const { vocab, merges } = trainBPE('Once upon a time there was a little girl. She liked to play. '.repeat(50), 400, specials);
        return new Tokenizer(vocab, merges, specials);
      })();
  return { model: TinyLM.init({ ...BASE_CONFIG, vocabSize: Math.max(BASE_CONFIG.vocabSize, tok.vocab.size) }, 1), tok, source: 'random weights, tinylm-base configuration' };
}

/** Ours in Node: greedy decode tokens/s after a prompt (KV cache), SIMD or JS kernels. */
function oursDecodeNode(model: TinyLM, promptIds: number[], n: number, simd: boolean): { prefill: number; decode: number } {
  const runs = [0, 1, 2].map(() => oursDecodeOnce(model, promptIds, n, simd));
  return { prefill: Math.max(...runs.map((r) => r.prefill)), decode: Math.max(...runs.map((r) => r.decode)) };
}

function oursDecodeOnce(model: TinyLM, promptIds: number[], n: number, simd: boolean): { prefill: number; decode: number } {
  const s = new TinyLMSession(model, { simd });
  const t0 = performance.now();
  let logits = s.append(promptIds);
  const t1 = performance.now();
  for (let i = 0; i < n - 1; i++) {
    let best = 0;
    for (let j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
    logits = s.append([best]);
  }
  const t2 = performance.now();
  return { prefill: promptIds.length / ((t1 - t0) / 1000), decode: (n - 1) / ((t2 - t1) / 1000) };
}

async function decodeBench(model: TinyLM, tok: Tokenizer) {
  const promptIds = tok.encode(PROMPT, { allowedSpecial: 'all' });
  const banned = bannedIds(tok, model.config.vocabSize);
  const wide = TinyLM.init({ ...WIDE, vocabSize: model.config.vocabSize }, 2);
  const node = new Map<string, { simd: { prefill: number; decode: number }; js: { prefill: number; decode: number } }>();
  for (const [key, m] of [['f32', model], ['wide-f32', wide]] as const) {
    for (const simd of [true, false]) oursDecodeNode(m, promptIds, 32, simd); // warm-up
    node.set(key, { simd: oursDecodeNode(m, promptIds, DECODE_TOKENS, true), js: oursDecodeNode(m, promptIds, DECODE_TOKENS, false) });
  }
  const nodeKernel = new TinyLMSession(model).kernel;

  const types: QuantType[] = ['f32', 'q8_0', 'q4_0'];
  const files = new Map<string, Buffer>(types.map((t) => [t, Buffer.from(exportGGUF(model.config, model.weights, tok, t))]));
  files.set('wide-f32', Buffer.from(exportGGUF(wide.config, wide.weights, tok, 'f32')));
  const cases: Array<[string, string]> = [...types.map((t): [string, string] => [t, t]), ['wide-f32', `f32, wide random (${(wide.parameterCount / 1e6).toFixed(1)} M)`]];
  if (!existsSync(chromiumPath)) {
    console.log(`\n1. Decode: llama.cpp (wllama) needs a browser and ${chromiumPath} is missing (apt-get install chromium).`);
    for (const [key, r] of node) {
      console.log(`   Ours in Node (${key}): ${f(r.simd.decode)} tok/s decode with the ${nodeKernel} kernel, ${f(r.js.decode)} with the JS kernels; ` +
        `prefill ${f(r.simd.prefill)} vs ${f(r.js.prefill)} tok/s.`);
    }
    return;
  }
  const server = await createServer({
    root: process.cwd(), logLevel: 'error', configFile: false,
    server: { host: '127.0.0.1', port: 0, hmr: false }, optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  const port = (server.httpServer!.address() as AddressInfo).port;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  const rows: Record<string, string>[] = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.route('**/__bench/*.gguf', (route) => {
      const type = route.request().url().match(/__bench\/([\w-]+)\.gguf$/)![1];
      return route.fulfill({ body: files.get(type)!, contentType: 'application/octet-stream' });
    });
    await page.goto(`http://127.0.0.1:${port}/test/bench/tinylm/index.html`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
    for (const [type, label] of cases) {
      const args: DecodeArgs = { url: `/__bench/${type}.gguf`, prompt: PROMPT, promptIds, n: DECODE_TOKENS, banned };
      const r = await page.evaluate(
        (a) => (window as unknown as { tinylmBench: { runDecode(a: DecodeArgs): Promise<DecodeFigures> } }).tinylmBench.runDecode(a),
        args,
      );
      const n = node.get(type);
      rows.push({
        'GGUF type': label,
        'size (KiB)': f(files.get(type)!.length / 1024),
        'llama.cpp decode tok/s': f(r.llamaDecode),
        [`ours ${r.oursKernel.toUpperCase()} tok/s`]: f(r.oursDecode),
        'ours JS tok/s': f(r.oursJsDecode),
        'ours / llama.cpp': ratio(r.oursDecode, r.llamaDecode),
        'ours JS / llama.cpp': ratio(r.oursJsDecode, r.llamaDecode),
        'SIMD / JS': ratio(r.oursDecode, r.oursJsDecode),
        'Node SIMD | JS tok/s': n ? `${f(n.simd.decode)} | ${f(n.js.decode)}` : '',
        'llama.cpp prefill tok/s': f(r.llamaPrefill),
        'ours prefill SIMD | JS tok/s': `${f(r.oursPrefill)} | ${f(r.oursJsPrefill)}`,
        'same greedy tokens': `${r.sameTokens}/${DECODE_TOKENS}`,
        'SIMD = JS tokens': `${r.sameJsTokens}/${DECODE_TOKENS}`,
        'llama.cpp threads': String(r.threads),
      });
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`\n1. Decode, ${DECODE_TOKENS} greedy tokens after a ${promptIds.length}-token prompt, one CPU thread each.`);
  console.log('   "ours" uses the WebAssembly SIMD (f32x4) kernel where available; "ours JS" the plain JS kernels ({ simd: false }).');
  console.log('   Ours computes in F32 for every file type (weights read back from the GGUF); llama.cpp uses its');
  console.log('   quantized kernels. "same greedy tokens": length of the common prefix of the two continuations.');
  console.log('   Best of 3 runs each side. At this size llama.cpp\'s decode rate includes wllama\'s fixed per-token cost');
  console.log('   (its server loop and worker messages); the wide row shows both sides when arithmetic dominates.');
  console.table(rows);
}

function trainBench() {
  const child = fileURLToPath(new URL('./tinylm/train-child.ts', import.meta.url));
  // ours with its training kernel (WebAssembly SIMD f64x2 where available), ours forced to the JS
  // kernels (same bits, slower), and TF.js.
  const sides = [['ours', 'simd'], ['ours', 'js'], ['tfjs', '']] as const;
  type TrainResult = Record<string, number | string | number[]> & { side: string; kernel: string; error?: string };
  const results = sides.map(([side, kernel]): TrainResult => {
    const env = { ...process.env, ...(kernel ? { TINYLM_TRAIN_KERNEL: kernel } : {}) };
    const p = spawnSync(process.execPath, ['--import', 'tsx', child, side, String(TRAIN_STEPS)], { encoding: 'utf8', timeout: 180_000, env });
    const line = p.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    if (!line) return { side, kernel, error: (p.stderr || 'no output').slice(-500) };
    return { ...(JSON.parse(line) as Record<string, number | string | number[]>), side, kernel };
  });
  const [ours, oursJs, tf] = results;
  const c = BASE_CONFIG;
  console.log(`\n2. Training, tinylm-base configuration (dim ${c.dim}, ${c.nLayers} layers, ${c.nHeads}/${c.nKvHeads} heads, vocab ${c.vocabSize}),`);
  console.log(`   batch 8 × 128 tokens, AdamW + clipping, ${TRAIN_STEPS} steps (first not timed), one process each.`);
  console.table(results.map((r) => ({
    trainer: r.side === 'ours' ? `ours (TypeScript, ${r.kernel === 'js' ? 'JS kernels' : 'SIMD f64x2 matmuls'})` : 'TensorFlow.js (wasm backend)',
    'tokens/s': f(Number(r.tokensPerSec)),
    'ms/step': f(Number(r.msPerStep)),
    'first step ms': f(Number(r.firstStepMs)),
    'peak RSS MiB': f(Number(r.maxRssMiB)),
    losses: Array.isArray(r.losses) ? r.losses.join(' → ') : String(r.error ?? ''),
  })));
  if (!ours.error && !tf.error) {
    console.log(`   ours / TF.js: ${ratio(Number(ours.tokensPerSec), Number(tf.tokensPerSec))} tokens/s, ` +
      `${ratio(Number(ours.maxRssMiB), Number(tf.maxRssMiB))} peak memory`);
  }
  if (!ours.error && !oursJs.error) {
    const same = JSON.stringify(ours.losses) === JSON.stringify(oursJs.losses);
    console.log(`   ours SIMD / ours JS: ${ratio(Number(ours.tokensPerSec), Number(oursJs.tokensPerSec))} tokens/s; losses (4 decimals) ${same ? 'identical' : 'DIFFER'}` +
      ' (the SIMD kernel sums in the same order in f64, so the bits match)');
  }
}

function contextBench(model: TinyLM) {
  const V = model.config.vocabSize;
  const ids = (n: number) => Array.from({ length: n }, (_, i) => 3 + ((i * 37) % (V - 3)));
  const rows: Record<string, string>[] = [];
  model.newSession().append(ids(32)); // warm-up
  for (const L of CONTEXTS) {
    // Prefill: L tokens in one block.
    const s = model.newSession();
    let t0 = performance.now();
    s.append(ids(L));
    const prefill = L / ((performance.now() - t0) / 1000);
    // Decode with the KV cache: one token at a time at context ≈ L.
    const k = 32;
    t0 = performance.now();
    for (let i = 0; i < k; i++) s.append([5 + i]);
    const cached = k / ((performance.now() - t0) / 1000);
    // Decode without a cache: every new token recomputes the whole context (L + 1 tokens).
    const r = 2;
    t0 = performance.now();
    for (let i = 0; i < r; i++) model.newSession().append(ids(L + 1));
    const uncached = r / ((performance.now() - t0) / 1000);
    rows.push({
      context: String(L),
      'prefill tok/s': f(prefill),
      'decode tok/s (KV cache)': f(cached),
      'decode tok/s (no cache, recompute)': f(uncached, 1),
      'cache speed-up': ratio(cached, uncached),
    });
  }
  console.log(`\n3. Ours in Node (${new TinyLMSession(model).kernel} kernel): prefill vs decode, with and without the KV cache.`);
  console.table(rows);
}

export default async function run(): Promise<void> {
  const { model, tok, source } = benchModel();
  console.log(`TinyLM bench on ${source}: ${(model.parameterCount / 1e6).toFixed(2)} M parameters, vocab ${model.config.vocabSize}`);
  // The figures depend on what else runs: say how busy the machine was.
  console.log(`Load average ${loadavg().map((x) => x.toFixed(2)).join(', ')} on ${cpus().length} cores.`);
  await decodeBench(model, tok);
  contextBench(model);
  trainBench();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();

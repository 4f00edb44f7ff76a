/**
 * One side of the training bench, run in its own process so peak memory (max RSS) is its own:
 *   npx tsx test/bench/tinylm/train-child.ts ours|tfjs <steps>
 * Trains the shipped base configuration (llama-style: RMSNorm, rotate-half RoPE, GQA attention,
 * SwiGLU, tied head) on the same token stream with the same recipe (AdamW, global-norm
 * clipping) and prints one JSON line: tokens/s over the timed steps, losses, max RSS.
 * The TensorFlow.js model is written by hand with tf ops on its WebAssembly backend.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { TinyLM } from '../../../src/lib/tinylm/model';
import { sampleBatch, Trainer, type Batch } from '../../../src/lib/tinylm/train';
import { RNG } from '../../../src/lib/tinylm/rng';
import { cosineLr } from '../../../src/lib/tinylm/optim';
import { BASE_CONFIG, RECIPES } from '../../../src/lib/tinylm/presets';
import type { TinyLMConfig } from '../../../src/lib/tinylm/contract';

const side = process.argv[2];
const steps = Number(process.argv[3] ?? 4);
const config: TinyLMConfig = BASE_CONFIG;
const recipe = { ...RECIPES.base.train, steps: 1000 }; // lr schedule as in a real run
const B = recipe.batchSize, T = recipe.seqLen;
// A deterministic token stream (content does not matter for speed).
const data = { tokens: Int32Array.from({ length: 100_000 }, (_, i) => (i * 7919 + (i >> 3)) % config.vocabSize) };

function report(times: number[], losses: number[], extra: Record<string, unknown> = {}) {
  const timed = times.slice(1); // the first step includes JIT/kernel warm-up
  const sec = timed.reduce((a, b) => a + b, 0) / 1000;
  console.log(JSON.stringify({
    side, steps, tokensPerSec: (timed.length * B * T) / sec, msPerStep: (sec * 1000) / timed.length,
    firstStepMs: times[0], losses, maxRssMiB: process.resourceUsage().maxRSS / 1024, ...extra,
  }));
}

async function ours() {
  const model = TinyLM.init(config, recipe.seed);
  const trainer = new Trainer(model, data, recipe);
  const times: number[] = [], losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    const info = trainer.trainStep();
    times.push(performance.now() - t0);
    losses.push(+info.loss.toFixed(4));
  }
  report(times, losses);
}

async function tfjs() {
  const require = createRequire(import.meta.url);
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
  await tf.setBackend('wasm');
  await tf.ready();
  const c = config, hd = c.dim / c.nHeads, rep = c.nHeads / c.nKvHeads;
  const rng = new RNG(recipe.seed);
  const normal = (shape: number[], std: number) =>
    tf.variable(tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * std), shape));
  const ones = (n: number) => tf.variable(tf.ones([n]));
  const outStd = 0.02 / Math.sqrt(2 * c.nLayers);
  const emb = normal([c.vocabSize, c.dim], 0.02);
  const layers = Array.from({ length: c.nLayers }, () => ({
    n1: ones(c.dim), q: normal([c.nHeads * hd, c.dim], 0.02), k: normal([c.nKvHeads * hd, c.dim], 0.02),
    v: normal([c.nKvHeads * hd, c.dim], 0.02), o: normal([c.dim, c.nHeads * hd], outStd), n2: ones(c.dim),
    gate: normal([c.ffnDim, c.dim], 0.02), up: normal([c.ffnDim, c.dim], 0.02), down: normal([c.dim, c.ffnDim], outStd),
  }));
  const normF = ones(c.dim);
  const vars = [emb, ...layers.flatMap((l) => Object.values(l)), normF];
  // Rotary tables [T, hd] (rotate-half: pair i with i + hd/2) and the causal mask [T, T].
  const half = hd / 2;
  const ang = Array.from({ length: T * hd }, (_, i) => {
    const t = Math.floor(i / hd), j = i % hd;
    return t * Math.pow(c.ropeTheta, (-2 * (j % half)) / hd);
  });
  const cos = tf.tensor(ang.map(Math.cos), [1, 1, T, hd]);
  const sin = tf.tensor(ang.map(Math.sin), [1, 1, T, hd]);
  const mask = tf.tensor(Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0)), [1, 1, T, T]);

  const rms = (x: import('@tensorflow/tfjs').Tensor, w: import('@tensorflow/tfjs').Tensor) =>
    x.mul(tf.rsqrt(x.square().mean(-1, true).add(c.normEps))).mul(w);
  const lin = (x: import('@tensorflow/tfjs').Tensor2D, w: import('@tensorflow/tfjs').Variable) =>
    tf.matMul(x, w as unknown as import('@tensorflow/tfjs').Tensor2D, false, true);
  const rope = (x: import('@tensorflow/tfjs').Tensor4D) => {
    const [x1, x2] = tf.split(x, 2, -1);
    return x.mul(cos).add(tf.concat([x2.neg(), x1], -1).mul(sin));
  };
  const heads = (x: import('@tensorflow/tfjs').Tensor, h: number) => x.reshape([B, T, h, hd]).transpose([0, 2, 1, 3]) as import('@tensorflow/tfjs').Tensor4D;
  const lossFn = (batch: Batch) => () => {
    const ids = tf.tensor1d(batch.inputs, 'int32');
    // Embedding as one-hot · E: the wasm backend has no UnsortedSegmentSum, the gradient of gather.
    let x = tf.matMul(tf.oneHot(ids, c.vocabSize).toFloat(), emb as unknown as import('@tensorflow/tfjs').Tensor2D); // [B·T, D]
    for (const l of layers) {
      const h = rms(x, l.n1) as import('@tensorflow/tfjs').Tensor2D;
      const q = rope(heads(lin(h, l.q), c.nHeads)); // [B, H, T, hd]
      let k = rope(heads(lin(h, l.k), c.nKvHeads)); // [B, Hkv, T, hd]
      let v = heads(lin(h, l.v), c.nKvHeads);
      if (rep > 1) {
        // GQA: query head h reads KV head ⌊h / rep⌋ (rank-4 tile: tf.js has no rank-5 tile gradient).
        k = k.reshape([B * c.nKvHeads, 1, T, hd]).tile([1, rep, 1, 1]).reshape([B, c.nHeads, T, hd]);
        v = v.reshape([B * c.nKvHeads, 1, T, hd]).tile([1, rep, 1, 1]).reshape([B, c.nHeads, T, hd]);
      }
      const att = tf.softmax(tf.matMul(q, k, false, true).mul(1 / Math.sqrt(hd)).add(mask)); // [B, H, T, T]
      const y = tf.matMul(att, v).transpose([0, 2, 1, 3]).reshape([B * T, c.dim]) as import('@tensorflow/tfjs').Tensor2D;
      x = x.add(lin(y, l.o));
      const h2 = rms(x, l.n2) as import('@tensorflow/tfjs').Tensor2D;
      const g = lin(h2, l.gate);
      x = x.add(lin(g.mul(tf.sigmoid(g)).mul(lin(h2, l.up)) as import('@tensorflow/tfjs').Tensor2D, l.down));
    }
    const logits = tf.matMul(rms(x, normF) as import('@tensorflow/tfjs').Tensor2D, emb as unknown as import('@tensorflow/tfjs').Tensor2D, false, true);
    const labels = tf.oneHot(tf.tensor1d(batch.targets, 'int32'), c.vocabSize);
    return tf.losses.softmaxCrossEntropy(labels, logits) as import('@tensorflow/tfjs').Scalar;
  };
  const opt = tf.train.adam(recipe.maxLr, recipe.beta1, recipe.beta2, 1e-8);
  const optLr = opt as unknown as { learningRate: number };
  const times: number[] = [], losses: number[] = [];
  const brng = new RNG(recipe.seed);
  for (let s = 0; s < steps; s++) {
    const batch = sampleBatch(data, B, T, brng);
    const t0 = performance.now();
    // Same schedule as our Trainer (cosine with linear warm-up).
    const lr = cosineLr(s, { maxLr: recipe.maxLr, minLr: recipe.minLr ?? recipe.maxLr * 0.1, warmup: recipe.warmup, total: recipe.steps });
    optLr.learningRate = lr;
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossFn(batch));
      // Global-norm clipping, then Adam and decoupled weight decay on matrices (AdamW).
      const names = Object.keys(grads);
      const norm = Math.sqrt(tf.addN(names.map((n) => grads[n].square().sum())).dataSync()[0]);
      const scale = norm > recipe.clip ? recipe.clip / norm : 1;
      const clipped = Object.fromEntries(names.map((n) => [n, grads[n].mul(scale)]));
      opt.applyGradients(clipped as never);
      for (const v of vars) if (v.shape.length === 2) v.assign(v.mul(1 - lr * recipe.weightDecay));
      return value;
    });
    losses.push(+(await loss.data())[0].toFixed(4));
    loss.dispose();
    times.push(performance.now() - t0);
  }
  report(times, losses, { backend: tf.getBackend(), tfMemoryMiB: tf.memory().numBytes / 2 ** 20 });
}

(side === 'tfjs' ? tfjs() : ours()).catch((e) => {
  console.log(JSON.stringify({ side, error: String((e as Error)?.stack ?? e) }));
  process.exitCode = 1;
});

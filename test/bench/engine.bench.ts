/**
 * Engine-side costs per generated token, side by side with a named baseline each:
 *  1. Sampling pipeline (temperature + top-k + top-p + min-p + repetition penalty) vs the plain
 *     baseline "softmax + one multinomial draw", at several vocabulary sizes.
 *  2. Constrained decoding: computing the allowed-token mask per step with the vocabulary trie and
 *     the per-state cache vs the naive baseline that re-checks every token's bytes from scratch,
 *     along the same generation (TinyLM's shipped 1024-token tokenizer when present, else the
 *     random model's).
 *  3. End to end: TinyLM engine decode tokens/s, free text vs JSON-schema constrained.
 *
 * Run: npm run bench engine   (or: npx tsx test/bench/engine.bench.ts)
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initialState, minRemaining, stepBytes, type State } from '../../src/lib/engine/constrained/acceptor';
import { compileSchema } from '../../src/lib/engine/constrained/schema';
import { JsonTokenConstraint, VocabularyIndex } from '../../src/lib/engine/constrained/token-constraint';
import { createTinyLMEngine } from '../../src/lib/engine/tinylm-engine';
import { createRandomTinyLM, RANDOM_MODEL_INFO, randomModelTokenizer } from '../../src/lib/engine/tinylm-models';
import type { JSONSchema } from '../../src/lib/engine/types';
import { createRng, sampleIndex, sampleToken, softmax } from '../../src/lib/sampling';
import { Tokenizer } from '../../src/lib/tokenizer';

const fmt = (x: number, d = 1) => x.toFixed(d);

/** Best of 5 rounds of ≥ minMs/5 each (after a warm-up): the machine is shared, so take the least disturbed. */
function time(f: () => void, minMs = 400): number {
  f();
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < minMs / 5) {
      f();
      n++;
    }
    best = Math.min(best, (performance.now() - t0) / n);
  }
  return best;
}

function benchSampling(): void {
  const rows: Record<string, string>[] = [];
  for (const V of [512, 4096, 32000]) {
    const rng = createRng(1);
    const logits = Float32Array.from({ length: V }, () => (rng.next() - 0.5) * 8);
    const history = Array.from({ length: 64 }, (_, i) => (i * 37) % V);
    const base = time(() => sampleIndex(softmax(logits), rng.next()));
    const full = time(() =>
      sampleToken(logits, { temperature: 0.8, topK: 40, topP: 0.9, minP: 0.05, repetitionPenalty: 1.1 }, rng, { history }),
    );
    rows.push({ vocab: String(V), 'baseline softmax+draw µs': fmt(base * 1000), 'full pipeline µs': fmt(full * 1000), ratio: `${fmt(full / base, 2)}×` });
  }
  console.log('\n1. Sampling per token (baseline: softmax + multinomial draw)');
  console.table(rows);
}

const SCHEMA: JSONSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 20 },
    age: { type: 'integer' },
    city: { type: 'string' },
    tags: { type: 'array', items: { type: 'string', maxLength: 12 }, maxItems: 4 },
  },
  required: ['name', 'age', 'city', 'tags'],
  additionalProperties: false,
};

function benchConstraint(tokenizer: Tokenizer, label: string): void {
  const vocab = new VocabularyIndex(tokenizer, tokenizer.vocabSize);
  const node = compileSchema(SCHEMA);
  // One generation path (random allowed tokens, seeded), recorded as states.
  const c = new JsonTokenConstraint(node, vocab);
  const rng = createRng(7);
  const states: State[] = [];
  let state = initialState([{ node }]);
  for (let step = 0; step < 120 && !c.done; step++) {
    states.push(state);
    const mask = c.mask(120 - step);
    const ids = [...mask.keys()].filter((i) => mask[i] && !vocab.endIds.includes(i));
    if (!ids.length) break;
    const id = ids[Math.floor(rng.next() * ids.length)];
    c.advance(id);
    state = stepBytes(state, vocab.bytes(id)!)!;
  }
  // Naive baseline: every token's bytes stepped from the state, no sharing, no cache.
  const naive = () => {
    for (const s of states) {
      for (let id = 0; id < vocab.size; id++) {
        if (vocab.endIds.includes(id)) continue;
        const b = vocab.bytes(id);
        const n = b && stepBytes(s, b);
        if (n) minRemaining(n);
      }
    }
  };
  const trieCold = () => {
    for (const s of states) {
      const fresh = new JsonTokenConstraint(node, vocab);
      (fresh as unknown as { state: State }).state = s;
      fresh.mask(1000);
    }
  };
  const warm = new JsonTokenConstraint(node, vocab);
  const trieWarm = () => {
    for (const s of states) {
      (warm as unknown as { state: State }).state = s;
      warm.mask(1000);
    }
  };
  trieWarm();
  const steps = states.length;
  const tn = time(naive, 500) / steps;
  const tc = time(trieCold, 500) / steps;
  const tw = time(trieWarm, 500) / steps;
  console.log(`\n2. Allowed-token mask per step, ${label} (vocab ${vocab.size}, ${steps} steps of one JSON generation)`);
  console.table([
    { method: 'baseline: check every token', 'ms/step': fmt(tn, 3), 'vs baseline': '1.00×' },
    { method: 'vocabulary trie, cold cache', 'ms/step': fmt(tc, 3), 'vs baseline': `${fmt(tn / tc, 2)}× faster` },
    { method: 'trie + per-state cache (steady)', 'ms/step': fmt(tw, 3), 'vs baseline': `${fmt(tn / tw, 2)}× faster` },
  ]);
}

async function benchEngine(): Promise<void> {
  const engine = createTinyLMEngine({ loader: async () => createRandomTinyLM(1), models: [RANDOM_MODEL_INFO], defaultModel: RANDOM_MODEL_INFO.id });
  const run = async (json: boolean) => {
    let tokens = 0;
    let secs = 0;
    for (let seed = 0; seed < 5; seed++) {
      const r = await engine.chat.completions.create({
        messages: [{ role: 'user', content: 'A person as JSON.' }],
        seed,
        max_tokens: 80,
        ...(json ? { response_format: { type: 'json_schema' as const, json_schema: { schema: SCHEMA } } } : {}),
      });
      const u = r.usage!;
      tokens += u.completion_tokens;
      secs += u.completion_tokens / (u.extra!.decode_tokens_per_s ?? Infinity);
    }
    return tokens / secs;
  };
  await run(false);
  const free = await run(false);
  const constrained = await run(true);
  console.log('\n3. TinyLM engine decode (random dim-32 model, 80 tokens × 5 seeds; baseline: unconstrained)');
  console.table([
    { mode: 'free text (baseline)', 'tokens/s': fmt(free, 0), ratio: '1.00×' },
    { mode: 'JSON schema constrained', 'tokens/s': fmt(constrained, 0), ratio: `${fmt(constrained / free, 2)}×` },
  ]);
}

export default async function run(): Promise<void> {
  benchSampling();
  benchConstraint(randomModelTokenizer(), 'random model tokenizer');
  const shipped = fileURLToPath(new URL('../../public/models/tokenizer.json', import.meta.url));
  if (existsSync(shipped)) benchConstraint(Tokenizer.fromHFJson(readFileSync(shipped, 'utf8')), 'shipped TinyLM tokenizer');
  await benchEngine();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();

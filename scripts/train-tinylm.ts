/**
 * Reproduces the shipped TinyLM models from their seeds: trains the shared BPE tokenizer, the
 * base model (stories), the draft model (stories, smaller) and the chat model (the finished base
 * fine-tuned on the instruction mix plus copy drills), and writes `public/models/tinylm-{base,draft,chat}/`.
 *
 *   npm run train:tinylm                 # everything, in order
 *   npm run train:tinylm -- --only chat  # one stage (chat needs base first)
 *   TINYLM_STEPS=20 npm run train:tinylm # quick smoke run (overrides every recipe's steps)
 *   TINYLM_THREADS=1 npm run train:tinylm # override each recipe's thread count
 *
 * Each recipe names the threads its shipped model was trained with (base and draft 1, chat 2: data
 * parallel). Results are bit-for-bit reproducible for a given thread count (the gradient sums are
 * split the same way each run); another count gives slightly different floats, so another model.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer, trainBPE } from '../src/lib/tokenizer';
import { TINYLM_SPECIAL_TOKENS } from '../src/lib/tinylm/contract';
import { TinyLM } from '../src/lib/tinylm/model';
import { Trainer, type StepInfo } from '../src/lib/tinylm/train';
import { saveModel, loadModel } from '../src/lib/tinylm/checkpoint';
import { CORPUS_SEEDS, chatToTokens, makeInstruct, makeStories, storiesToTokens, tokenizerText } from '../src/lib/tinylm/corpus';
import { RECIPES, TOKENIZER_VOCAB } from '../src/lib/tinylm/presets';
import { nodeShards } from './lib/node-shards';

const OUT = process.env.TINYLM_OUT ?? 'public/models';
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const stepsOverride = process.env.TINYLM_STEPS ? Number(process.env.TINYLM_STEPS) : null;
const threadsOverride = process.env.TINYLM_THREADS ? Math.max(1, Number(process.env.TINYLM_THREADS)) : null;
const t0 = Date.now();
const log = (...a: unknown[]) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0)}s]`, ...a);

function writeModel(name: string, model: TinyLM, tok: Tokenizer, meta: Record<string, string>) {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  const files = saveModel(model, tok, meta);
  writeFileSync(join(dir, 'config.json'), files['config.json']);
  writeFileSync(join(dir, 'model.safetensors'), files['model.safetensors']);
  writeFileSync(join(dir, 'tokenizer.json'), files['tokenizer.json']);
}

function tokenizer(): Tokenizer {
  const path = join(OUT, 'tokenizer.json');
  if (existsSync(path) && only) return Tokenizer.fromHFJson(readFileSync(path, 'utf8'));
  log('training tokenizer');
  const specials = [...TINYLM_SPECIAL_TOKENS];
  const res = trainBPE(tokenizerText(), TOKENIZER_VOCAB, specials);
  const tok = new Tokenizer(res.vocab, res.merges, specials);
  specials.forEach((s, i) => {
    if (tok.specialIds.get(s) !== i) throw new Error(`special ${s} got id ${tok.specialIds.get(s)}`);
  });
  mkdirSync(OUT, { recursive: true });
  writeFileSync(path, JSON.stringify(tok.toHFJson()));
  log(`tokenizer: ${tok.vocabSize} tokens`);
  return tok;
}

type Stage = 'base' | 'draft' | 'chat';
async function train(name: Stage, tok: Tokenizer) {
  const r = RECIPES[name];
  const cfg = { ...r.train, steps: stepsOverride ?? r.train.steps };
  const threads = threadsOverride ?? r.threads;
  const config = { ...r.config, vocabSize: tok.vocabSize };
  let model: TinyLM;
  let data;
  if (name === 'chat') {
    // chat starts from the finished base model.
    const base = join(OUT, 'tinylm-base');
    if (!existsSync(join(base, 'model.safetensors'))) throw new Error(`chat starts from ${base}: train base first`);
    model = loadModel({
      config: readFileSync(join(base, 'config.json'), 'utf8'),
      safetensors: readFileSync(join(base, 'model.safetensors')),
      tokenizer: readFileSync(join(base, 'tokenizer.json'), 'utf8'),
    }).model;
    const examples = [...makeInstruct(r.instruct, CORPUS_SEEDS.trainInstruct), ...makeInstruct(r.copy ?? 0, CORPUS_SEEDS.trainCopy, 'copy')];
    data = chatToTokens(tok, examples, makeStories(r.stories, CORPUS_SEEDS.trainStories));
  } else {
    model = TinyLM.init(config, r.train.seed);
    data = storiesToTokens(tok, makeStories(r.stories, CORPUS_SEEDS.trainStories));
  }
  log(`${name}: ${model.parameterCount} parameters, ${data.tokens.length} training tokens, ${cfg.steps} steps of ${cfg.batchSize}×${cfg.seqLen}, ${threads} thread(s)`);
  const shards = nodeShards(model.config, threads - 1);
  const trainer = new Trainer(model, data, cfg, shards);
  let last: StepInfo | null = null;
  const meta = () => ({ 'tinylm.name': name, 'tinylm.steps': String(trainer.step), 'tinylm.seed': String(cfg.seed), 'tinylm.threads': String(threads) });
  try {
    await trainer.run((s) => {
      last = s;
      if (s.step % 10 === 0 || s.step === cfg.steps)
        log(`${name} step ${s.step}/${cfg.steps} loss ${s.loss.toFixed(3)} lr ${s.lr.toExponential(2)} |g| ${s.gradNorm.toFixed(2)} ${s.tokensPerSec.toFixed(0)} tok/s`);
      if (s.step % 250 === 0) writeModel(`tinylm-${name}`, model, tok, meta());
    });
  } finally {
    await Promise.all(shards.map((s) => s.terminate()));
  }
  writeModel(`tinylm-${name}`, model, tok, meta());
  const info = last as StepInfo | null;
  const summary = { steps: trainer.step, threads, finalLoss: info?.loss, trainSeconds: (info?.elapsedMs ?? 0) / 1000, tokensPerSec: info?.tokensPerSec, config: cfg };
  writeFileSync(join(OUT, `tinylm-${name}`, 'train.json'), JSON.stringify(summary, null, 2) + '\n');
  log(`${name} done`, summary.trainSeconds.toFixed(0), 's');
}

const tok = tokenizer();
for (const name of ['base', 'draft', 'chat'] as const) if (!only || only === name) await train(name, tok);
log('all done');

/**
 * Reproduces the shipped TinyLM models from their seeds: trains the shared BPE tokenizer, the
 * base model (stories), the draft model (stories, smaller) and the chat model (base fine-tuned on
 * the instruction mix, starting from the base snapshot at `RECIPES.chat.fromBaseStep`), and writes
 * `public/models/tinylm-{base,draft,chat}/` (snapshots go to `public/models/.snapshots/`, not shipped).
 *
 *   npm run train:tinylm                 # everything, in order
 *   npm run train:tinylm -- --only base  # one stage (chat needs base first)
 *   TINYLM_STEPS=20 npm run train:tinylm # quick smoke run (overrides every recipe's steps)
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer, trainBPE } from '../src/lib/tokenizer';
import { TINYLM_SPECIAL_TOKENS } from '../src/lib/tinylm/contract';
import { TinyLM } from '../src/lib/tinylm/model';
import { Trainer, type StepInfo } from '../src/lib/tinylm/train';
import { saveModel, loadModel } from '../src/lib/tinylm/checkpoint';
import { CORPUS_SEEDS, chatToTokens, makeInstruct, makeStories, storiesToTokens, tokenizerText } from '../src/lib/tinylm/corpus';
import { RECIPES, TOKENIZER_VOCAB } from '../src/lib/tinylm/presets';

const OUT = process.env.TINYLM_OUT ?? 'public/models';
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const stepsOverride = process.env.TINYLM_STEPS ? Number(process.env.TINYLM_STEPS) : null;
const t0 = Date.now();
/** The base step the chat model starts from (the last step in shortened smoke runs). */
const chatFrom = Math.min(RECIPES.chat.fromBaseStep ?? RECIPES.base.train.steps, stepsOverride ?? RECIPES.base.train.steps);
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

type Stage = 'base' | 'draft' | 'chat' | 'chat2' | 'chat3';
async function train(name: Stage, tok: Tokenizer) {
  const cont = name === 'chat2' || name === 'chat3';
  const r = RECIPES[cont ? 'chat' : (name as 'base' | 'draft' | 'chat')];
  const stage = cont ? r.stages![name === 'chat2' ? 0 : 1] : r.train;
  const cfg = { ...stage, steps: stepsOverride ?? stage.steps };
  const config = { ...r.config, vocabSize: tok.vocabSize };
  let model: TinyLM;
  let data;
  if (name === 'chat' || cont) {
    // chat starts from the base snapshot; its second stage continues from the first stage's weights.
    const base = name === 'chat' ? join(OUT, '.snapshots', `tinylm-base-step${chatFrom}`) : join(OUT, 'tinylm-chat');
    if (!existsSync(join(base, 'model.safetensors'))) throw new Error(`chat starts from ${base}: train base first`);
    model = loadModel({
      config: readFileSync(join(base, 'config.json'), 'utf8'),
      safetensors: readFileSync(join(base, 'model.safetensors')),
      tokenizer: readFileSync(join(base, 'tokenizer.json'), 'utf8'),
    }).model;
    data = chatToTokens(tok, makeInstruct(r.instruct, CORPUS_SEEDS.trainInstruct), makeStories(r.stories, CORPUS_SEEDS.trainStories));
  } else {
    model = TinyLM.init(config, r.train.seed);
    data = storiesToTokens(tok, makeStories(r.stories, CORPUS_SEEDS.trainStories));
  }
  log(`${name}: ${model.parameterCount} parameters, ${data.tokens.length} training tokens, ${cfg.steps} steps of ${cfg.batchSize}×${cfg.seqLen}`);
  const trainer = new Trainer(model, data, cfg);
  const outName = cont ? 'chat' : name;
  let last: StepInfo | null = null;
  const meta = () => ({ 'tinylm.name': outName, 'tinylm.stage': name, 'tinylm.steps': String(trainer.step), 'tinylm.seed': String(cfg.seed) });
  await trainer.run((s) => {
    last = s;
    if (s.step % 10 === 0 || s.step === cfg.steps)
      log(`${name} step ${s.step}/${cfg.steps} loss ${s.loss.toFixed(3)} lr ${s.lr.toExponential(2)} |g| ${s.gradNorm.toFixed(2)} ${s.tokensPerSec.toFixed(0)} tok/s`);
    if (s.step % 50 === 0) writeModel(`tinylm-${outName}`, model, tok, meta());
    if (name === 'base' && s.step === chatFrom) writeModel(join('.snapshots', `tinylm-base-step${s.step}`), model, tok, meta());
  });
  writeModel(`tinylm-${outName}`, model, tok, meta());
  const info = last as StepInfo | null;
  const summary = { steps: trainer.step, finalLoss: info?.loss, trainSeconds: (info?.elapsedMs ?? 0) / 1000, tokensPerSec: info?.tokensPerSec, config: cfg };
  const trainJson = join(OUT, `tinylm-${outName}`, 'train.json');
  if (cont) {
    // Accumulate the stages' summaries in one train.json.
    const prev = JSON.parse(readFileSync(trainJson, 'utf8'));
    const stages = prev.stages ?? [prev.stage1 ?? prev, ...(prev.stage2 ? [prev.stage2] : [])];
    stages.push(summary);
    const total = stages.reduce((a: number, s: { trainSeconds: number }) => a + s.trainSeconds, 0);
    writeFileSync(trainJson, JSON.stringify({ stages, trainSeconds: total }, null, 2) + '\n');
  } else writeFileSync(trainJson, JSON.stringify(summary, null, 2) + '\n');
  log(`${name} done`, summary.trainSeconds.toFixed(0), 's');
}

const tok = tokenizer();
for (const name of ['base', 'draft', 'chat', 'chat2', 'chat3'] as const) if (!only || only === name) await train(name, tok);
// The base snapshot was only needed to start chat; don't leave it in public/ (it would be shipped).
if (!only || only === 'chat') rmSync(join(OUT, '.snapshots'), { recursive: true, force: true });
log('all done');

/**
 * TinyLM on the command line — the same library code the browser runs.
 *
 * Every subcommand that takes --model defaults to base (eval without --model evaluates all three).
 *
 *   npm run tinylm -- generate "Once upon a time" [--model base|chat|draft|<dir>] [--greedy]
 *        [--max-tokens 64] [--temperature 0.8] [--top-p 0.95] [--seed 1] [--chat] [--json]
 *   npm run tinylm -- generate --ids 1,2,3 --json
 *   npm run tinylm -- train [--only base|draft|chat]     (same as npm run train:tinylm)
 *   npm run tinylm -- eval [--model chat] [--quick]        (writes metrics.json beside each model)
 *   npm run tinylm -- export-safetensors [--model base] --out dir
 *   npm run tinylm -- export-gguf [--model base] --type f32|f16|q8_0|q4_0 --out file.gguf
 *        (the GGUF's add_bos_token says what training did: base/draft continue text after
 *        <|endoftext|>, as generate does, so llama.cpp given the same text continues the same way)
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, saveModel } from '../src/lib/tinylm/checkpoint';
import type { TinyLM } from '../src/lib/tinylm/model';
import type { Tokenizer } from '../src/lib/tokenizer';
import { chatMetrics, generateIds, greedyAnswer, storyMetrics } from '../src/lib/tinylm/eval';
import { renderChatML } from '../src/lib/tinylm/corpus';
import { createRng, sampleToken } from '../src/lib/sampling';
import { registerQA } from '../src/lib/rag/register';
import { exportGGUF, readsTextAfterEndOfText } from '../src/lib/tinylm/gguf';

const argv = process.argv.slice(2);
const cmd = argv[0];
const flags = new Map<string, string>();
const positional: string[] = [];
/** Flags that never take a value (so `--chat "Hi!"` keeps "Hi!" as the prompt). */
const SWITCHES = new Set(['chat', 'raw', 'greedy', 'json', 'quick']);
for (let i = 1; i < argv.length; i++) {
  const a = argv[i];
  if (a.startsWith('--')) {
    const next = argv[i + 1];
    if (SWITCHES.has(a.slice(2)) || next === undefined || next.startsWith('--')) flags.set(a.slice(2), 'true');
    else (flags.set(a.slice(2), next), i++);
  } else positional.push(a);
}
const flag = (k: string, d?: string) => flags.get(k) ?? d;
/** The one default model of every subcommand. */
const DEFAULT_MODEL = 'base';

/** Resolves `base|chat|draft` to public/models/tinylm-<name>, else a directory path. */
function modelDir(name: string): string {
  return ['base', 'chat', 'draft'].includes(name) ? join('public/models', `tinylm-${name}`) : name;
}

function load(name: string): { model: TinyLM; tokenizer: Tokenizer; dir: string } {
  const dir = modelDir(name);
  if (!existsSync(join(dir, 'model.safetensors'))) throw new Error(`no model in ${dir} (run npm run train:tinylm)`);
  const m = loadModel({
    config: readFileSync(join(dir, 'config.json'), 'utf8'),
    safetensors: readFileSync(join(dir, 'model.safetensors')),
    tokenizer: readFileSync(join(dir, 'tokenizer.json'), 'utf8'),
  });
  return { ...m, dir };
}

function generate() {
  const name = flag('model', DEFAULT_MODEL)!;
  const { model, tokenizer } = load(name);
  let prompt: number[];
  if (flags.has('ids')) prompt = flag('ids')!.split(',').filter(Boolean).map(Number);
  else {
    const text = positional.join(' ');
    const chat = flags.has('chat') || (!readsTextAfterEndOfText(name) && !flags.has('raw'));
    prompt = chat ? tokenizer.encode(renderChatML([{ role: 'user', content: text }], true)) : tokenizer.encode(text, { allowedSpecial: [] });
    if (!chat) prompt = [0, ...prompt]; // stories were trained after <|endoftext|>
  }
  const maxTokens = Number(flag('max-tokens', '64'));
  const greedy = flags.has('greedy');
  const rng = createRng(Number(flag('seed', '1')));
  const params = { temperature: greedy ? 0 : Number(flag('temperature', '0.8')), topP: Number(flag('top-p', '0.95')) };
  const t0 = performance.now();
  const ids = generateIds(model, prompt, {
    maxTokens,
    stopIds: [0, 2],
    pick: (logits, history) => sampleToken(logits, params, rng, { history }).id,
  });
  const seconds = (performance.now() - t0) / 1000;
  const text = tokenizer.decode(ids);
  if (flags.has('json')) console.log(JSON.stringify({ promptIds: prompt, ids, text }));
  else {
    console.log(text);
    console.error(`\n[${ids.length} tokens in ${seconds.toFixed(2)} s]`);
  }
}

async function evaluate() {
  const names = flags.has('model') ? [flag('model')!] : ['base', 'draft', 'chat'];
  const quick = flags.has('quick');
  for (const name of names) {
    const { model, tokenizer, dir } = load(name);
    const t0 = performance.now();
    const metrics: Record<string, unknown> = {
      model: name,
      parameters: model.parameterCount,
      heldOutStories: storyMetrics(model, tokenizer, quick ? 20 : 200),
    };
    if (name === 'chat' || name.includes('chat')) {
      metrics.chat = chatMetrics(model, tokenizer, quick ? { qa: 20, json: 10, tool: 10 } : undefined);
      // RAG over the built-in town register (held-out people), with and without retrieval.
      const answer = async (prompt: string) => greedyAnswer(model, tokenizer, prompt, 24);
      const n = quick ? 10 : 40;
      metrics.registerRag = {
        withRetrieval: await registerQA(answer, { retrieval: true, k: 1, n }),
        withTwoPassages: await registerQA(answer, { retrieval: true, k: 2, n }),
        withoutRetrieval: await registerQA(answer, { retrieval: false, n }),
      };
    }
    const trainInfo = join(dir, 'train.json');
    if (existsSync(trainInfo)) metrics.training = JSON.parse(readFileSync(trainInfo, 'utf8'));
    metrics.evalSeconds = (performance.now() - t0) / 1000;
    if (!quick) writeFileSync(join(dir, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    console.log(JSON.stringify(metrics, null, 2));
  }
}

function exportSafetensors() {
  const { model, tokenizer } = load(flag('model', DEFAULT_MODEL)!);
  const out = flag('out');
  if (!out) throw new Error('--out <dir> is required');
  mkdirSync(out, { recursive: true });
  const files = saveModel(model, tokenizer);
  for (const [name, data] of Object.entries(files)) writeFileSync(join(out, name), data);
  console.log(`wrote ${Object.keys(files).join(', ')} to ${out}`);
}

async function exportGguf() {
  const name = flag('model', DEFAULT_MODEL)!;
  const { model, tokenizer } = load(name);
  const out = flag('out');
  const type = flag('type', 'f32') as 'f32' | 'f16' | 'q8_0' | 'q4_0';
  if (!out) throw new Error('--out <file.gguf> is required');
  if (!['f32', 'f16', 'q8_0', 'q4_0'].includes(type)) throw new Error(`--type must be f32, f16, q8_0 or q4_0`);
  const bytes = exportGGUF(model.config, model.weights, tokenizer, type, 'TinyLM', readsTextAfterEndOfText(name));
  writeFileSync(out, bytes);
  console.log(`wrote ${out} (${type}, ${(bytes.length / 1024).toFixed(0)} KiB)`);
}

async function main() {
  switch (cmd) {
    case 'generate':
      return generate();
    case 'eval':
      return evaluate();
    case 'train':
      process.argv = [process.argv[0], 'scripts/train-tinylm.ts', ...argv.slice(1)];
      await import('./train-tinylm');
      return;
    case 'export-safetensors':
      return exportSafetensors();
    case 'export-gguf':
      return exportGguf();
    default:
      console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1, 11).join('\n'));
      if (cmd && cmd !== 'help') process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(`tinylm: ${(e as Error).message}`);
  process.exitCode = 1;
});

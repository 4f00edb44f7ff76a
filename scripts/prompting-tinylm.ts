/**
 * Measures the lesson 1.2 labs' TinyLM presets on the built-in chat model and writes
 * `src/lib/prompting/tinylm-measured.json` (the figures the labs quote; never typed by hand).
 *
 *   npx tsx scripts/prompting-tinylm.ts          (about a minute on 2 cores)
 *
 * Prompting: for each TinyLM task, QUESTIONS held-out questions of the same kind (generated from
 * seeds no training split uses), every variant built exactly as the lab builds it (the preset's
 * few-shot examples and system prompts), SEEDS seeds each at the lab's temperature; accuracy =
 * normalized answer equals the expected one.
 * Structured output: the same kind of JSON task over QUESTIONS texts, SEEDS seeds, at the labs'
 * usual temperature and at the TinyLM preset's 1.3: valid on the first try (free decoding), within
 * 3 attempts with resampling (what the lab does on a 256-token model), and with constrained
 * decoding; exact = every value right.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createTinyLMEngine } from '../src/lib/engine/tinylm-engine';
import { tinyLMCatalog } from '../src/lib/engine/tinylm-models';
import type { ChatCompletion } from '../src/lib/engine/types';
import { normalizeAnswer } from '../src/lib/prompting/agreement';
import { extractAnswer } from '../src/lib/prompting/builders';
import { TINY_PROMPT_TASKS, SCHEMA_PRESETS } from '../src/lib/prompting/presets';
import { variantMessages, VARIANT_IDS } from '../src/lib/prompting/variants';
import { generateStructured } from '../src/lib/prompting/retry';
import { compileSchemaText } from '../src/lib/prompting/validate';
import { CORPUS_SEEDS, makeInstruct } from '../src/lib/tinylm/corpus';
import { registerPeople } from '../src/lib/rag/register';

const OUT = 'src/lib/prompting/tinylm-measured.json';
const QUESTIONS = 20, SEEDS = 3, TEMPERATURE = 0.7;
const SEED0 = CORPUS_SEEDS.valInstruct + 500; // held out: no training split uses it

const root = new URL('../public/models/', import.meta.url);
const diskFetch = (async (input: string | URL | Request) => {
  const url = new URL(String(input));
  return existsSync(url) ? new Response(readFileSync(url)) : new Response('not found', { status: 404 });
}) as typeof fetch;
const { models, loader } = tinyLMCatalog(root.href, { fetchFn: diskFetch });
const engine = createTinyLMEngine({ models, loader, defaultModel: 'tinylm-chat' });

// Questions like each preset's: tool requests; profiles read without their "Context:" labels.
const items: Record<string, Array<{ question: string; expected: string }>> = {
  'tiny-tools': makeInstruct(80, SEED0, 'tool').filter((e) => e.skill === 'tool').slice(0, QUESTIONS)
    .map((e) => ({ question: e.messages.at(-2)!.content, expected: e.messages.at(-1)!.content })),
};

const prompting: Record<string, unknown> = { questions: QUESTIONS, seeds: SEEDS, temperature: TEMPERATURE };
for (const task of TINY_PROMPT_TASKS) {
  const row: Record<string, number> = {};
  for (const v of VARIANT_IDS) {
    let ok = 0, n = 0;
    for (const it of items[task.id]!) {
      const messages = variantMessages(v, { question: it.question, examples: task.examples, systemA: task.systemA ?? '', systemB: task.systemB ?? '', format: task.format });
      for (let s = 1; s <= SEEDS; s++, n++) {
        try {
          const r = (await engine.chat.completions.create({ messages, temperature: TEMPERATURE, max_tokens: 64, seed: s })) as ChatCompletion;
          if (normalizeAnswer(extractAnswer(String(r.choices[0]?.message.content ?? ''))) === normalizeAnswer(it.expected)) ok++;
        } catch {
          /* a prompt over the window counts as a miss */
        }
      }
    }
    row[v] = ok / n;
  }
  prompting[task.id] = row;
  console.log(task.id, row);
}

// Structured output: TinyLM's trained JSON task over held-out people.
const preset = SCHEMA_PRESETS.find((p) => p.id === 'tiny-person')!;
const compiled = compileSchemaText(JSON.stringify(preset.schema));
if (!compiled.ok) throw new Error('preset schema does not compile');
const people = registerPeople(QUESTIONS, SEED0 + 2).map((p, i) => ({ name: p.name, age: 18 + ((i * 7) % 60), city: /lives in (\w+)/.exec(p.text)![1]! }));
const structured: Record<string, unknown> = { questions: QUESTIONS, seeds: SEEDS };
for (const temperature of [TEMPERATURE, 1.3]) {
const counts = { free: 0, retry: 0, constrained: 0, freeExact: 0, retryExact: 0, constrainedExact: 0, n: 0 };
for (const p of people) {
  const task = `Return JSON with the keys "name" (string), "age" (number), "city" (string).\nText: ${p.name} is ${p.age} years old. ${p.name} lives in ${p.city}.`;
  const messages = [{ role: 'user' as const, content: task }];
  const exact = (v: unknown) => JSON.stringify(v) === JSON.stringify(p);
  for (let s = 1; s <= SEEDS; s++) {
    const params = { temperature, max_tokens: 160, seed: s * 100 };
    const free = await generateStructured(engine, messages, { schema: compiled.value, maxAttempts: 1, constrained: false, params });
    const retry = await generateStructured(engine, messages, { schema: compiled.value, maxAttempts: 3, constrained: false, params, retry: 'resample' });
    const cons = await generateStructured(engine, messages, { schema: compiled.value, maxAttempts: 1, constrained: true, params });
    counts.n++;
    if (free.ok) counts.free++, (counts.freeExact += +exact(free.value));
    if (retry.ok) counts.retry++, (counts.retryExact += +exact(retry.value));
    if (cons.ok) counts.constrained++, (counts.constrainedExact += +exact(cons.value));
  }
}
const share = (x: number) => x / counts.n;
structured[`t${temperature}`] = {
  temperature,
  validFirstTry: share(counts.free), validWithin3Resamples: share(counts.retry), validConstrained: share(counts.constrained),
  exactFirstTry: share(counts.freeExact), exactWithin3Resamples: share(counts.retryExact), exactConstrained: share(counts.constrainedExact),
};
}
console.log('structured', structured);
writeFileSync(OUT, JSON.stringify({ model: 'tinylm-chat', prompting, structured }, null, 2) + '\n');

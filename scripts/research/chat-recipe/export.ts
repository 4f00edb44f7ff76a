/**
 * Writes the chat-recipe sweep's data to .sweep/ (git-ignored): the training pool as one token
 * stream (int16 ids, uint8 reply mask, int32 example starts, uint8 skill per example:
 * qa, json, tool, chat, story, copy), the held-out prompts with their expected replies, the
 * held-out stories, and the tinylm-base weights the sweep starts from. See sweep.py.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Tokenizer } from '../../../src/lib/tokenizer';
import { RNG } from '../../../src/lib/tinylm/rng';
import { CORPUS_SEEDS, makeInstruct, makeStories, promptIds, replyIds, type ChatExample } from '../../../src/lib/tinylm/corpus';

const OUT = '.sweep/';
mkdirSync(OUT, { recursive: true });
const tok = Tokenizer.fromHFJson(readFileSync('public/models/tokenizer.json', 'utf8'));
const SKILL = { qa: 0, json: 1, tool: 2, chat: 3, story: 4, copy: 5 } as const;
// Sampling weights per skill are applied in sweep.py; the pool holds 40k examples, 8k drills, 4k stories.
type Item = { ex?: ChatExample; story?: string };
const items: Item[] = [
  ...makeInstruct(40000, CORPUS_SEEDS.trainInstruct).map((ex) => ({ ex })),
  ...makeInstruct(8000, CORPUS_SEEDS.trainCopy, 'copy').map((ex) => ({ ex })),
  ...makeStories(4000, CORPUS_SEEDS.trainStories).map((story) => ({ story })),
];
new RNG(99).shuffle(items);
const ids: number[] = [], mask: number[] = [], starts: number[] = [], skills: number[] = [];
const nl = tok.encode('\n')[0];
for (const it of items) {
  starts.push(ids.length);
  if (it.story !== undefined) {
    skills.push(SKILL.story);
    for (const id of tok.encode(it.story, { allowedSpecial: [] })) ids.push(id), mask.push(1);
    ids.push(0), mask.push(1);
    continue;
  }
  skills.push(SKILL[it.ex!.skill]);
  for (const id of promptIds(tok, it.ex!)) ids.push(id), mask.push(0);
  for (const id of replyIds(tok, it.ex!)) ids.push(id), mask.push(1);
  ids.push(nl, 0), mask.push(0, 0);
}
writeFileSync(OUT + 'tokens.bin', Int16Array.from(ids));
writeFileSync(OUT + 'mask.bin', Uint8Array.from(mask));
writeFileSync(OUT + 'starts.bin', Int32Array.from(starts));
writeFileSync(OUT + 'skills.bin', Uint8Array.from(skills));
const evalSet = (exs: ChatExample[]) => exs.map((e) => ({ p: promptIds(tok, e), r: replyIds(tok, e) }));
const stories: number[] = [];
for (const s of makeStories(100, CORPUS_SEEDS.valStories)) stories.push(...tok.encode(s, { allowedSpecial: [] }), 0);
writeFileSync(OUT + 'eval.json', JSON.stringify({
  qa: evalSet(makeInstruct(200, CORPUS_SEEDS.valInstruct, 'qa')),
  json: evalSet(makeInstruct(100, CORPUS_SEEDS.valInstruct + 1, 'json')),
  tool: evalSet(makeInstruct(100, CORPUS_SEEDS.valInstruct + 2, 'tool').filter((e) => e.skill === 'tool')),
  stories,
}));
copyFileSync('public/models/tinylm-base/model.safetensors', OUT + 'base.safetensors');
console.log(`${ids.length} tokens, ${items.length} items → ${OUT}`);

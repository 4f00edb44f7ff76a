/**
 * The curriculum's wiring, data-driven over every lab (`src/labs/<id>/meta.ts`) and every lesson
 * part (`src/curriculum/lessons/<topic>/*.ts`), so new labs and lessons are checked as they land:
 *   - every lab a lesson places exists, and each lab is placed by exactly one lesson part;
 *   - a lab's folder is its id, and its `meta.topic` is the topic of the lesson that places it;
 *   - every task of a topic with lesson text is ticked by some lab (declared in `meta.tasks` and
 *     called as `ctx.complete('<id>')` in the lab's code) or listed in MANUAL_TASKS;
 *   - a lab only ticks tasks of its own topic that it declares;
 *   - every lab's defaults pass its schema and survive a share-link round trip;
 *   - lesson text and labs quote the shipped models' measured rates from metrics.json, not retyped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ALL_TASKS, TOPICS, isTaskId } from '../../../src/curriculum/plan';
import { MANUAL_TASKS } from '../../../src/curriculum/manual-tasks';
import type { LessonPart } from '../../../src/curriculum/types';
import type { LabDefinition } from '../../../src/labs/types';
import { decodeShare, encodeShare } from '../../../src/lib/share';
import { SHIPPED_METRICS } from '../../../src/lib/tinylm/shipped-metrics';

const SRC = resolve(__dirname, '../../../src');
const labMetas = import.meta.glob<LabDefinition>('../../../src/labs/*/meta.ts', { eager: true, import: 'default' });
const lessonParts = import.meta.glob<LessonPart>('../../../src/curriculum/lessons/*/*.ts', { eager: true, import: 'default' });

const labs = Object.entries(labMetas).map(([path, def]) => ({ folder: path.split('/').at(-2)!, def }));
const parts = Object.entries(lessonParts).map(([path, part]) => ({ path: path.replace('../../../', ''), folder: path.split('/').at(-2)!, part }));
const builtTopics = new Set(parts.map((p) => p.part.topic));

/** Every file of a lab's folder, as text (what `ctx.complete('…')` calls it makes). */
function labSource(folder: string): string {
  const dir = join(SRC, 'labs', folder);
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  return walk(dir)
    .filter((f) => /\.(ts|svelte)$/.test(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}
const completedIn = (folder: string) => new Set([...labSource(folder).matchAll(/\bcomplete\(\s*['"]([0-9]+\.[0-9]+\.[a-z])['"]/g)].map((m) => m[1]!));

describe('curriculum wiring', () => {
  it('finds the labs and lessons (the globs work)', () => {
    expect(labs.length).toBeGreaterThanOrEqual(16);
    expect(parts.length).toBeGreaterThanOrEqual(14);
  });

  it('every lab a lesson places exists; every lab is placed by exactly one lesson part', () => {
    const ids = new Set(labs.map((l) => l.def.id));
    const placed = parts.flatMap((p) => (p.part.labs ?? []).map((id) => ({ id, by: p.path })));
    expect(placed.filter((p) => !ids.has(p.id)).map((p) => `${p.by} places unknown lab “${p.id}”`)).toEqual([]);
    const count = (id: string) => placed.filter((p) => p.id === id).length;
    expect(labs.filter((l) => count(l.def.id) !== 1).map((l) => `${l.def.id} is placed ${count(l.def.id)} times`)).toEqual([]);
  });

  it("a lab's folder is its id, and its topic is its lesson's topic (and the lesson's folder)", () => {
    const problems: string[] = [];
    for (const p of parts) {
      if (p.part.topic !== p.folder) problems.push(`${p.path} says topic ${p.part.topic}`);
      for (const id of p.part.labs ?? []) {
        const lab = labs.find((l) => l.def.id === id);
        if (lab && lab.def.topic !== p.part.topic) problems.push(`${id} has meta.topic ${lab.def.topic} but is placed in ${p.part.topic}`);
      }
    }
    for (const l of labs) if (l.folder !== l.def.id) problems.push(`src/labs/${l.folder}/meta.ts has id “${l.def.id}”`);
    expect(problems).toEqual([]);
  });

  it('every task of a topic with lesson text is ticked by some lab or listed as manual', () => {
    for (const id of Object.keys(MANUAL_TASKS)) expect(isTaskId(id), `MANUAL_TASKS has unknown ${id}`).toBe(true);
    const ticked = new Set(labs.flatMap((l) => l.def.tasks));
    const missing = ALL_TASKS.filter((t) => builtTopics.has(t.topic) && !ticked.has(t.id) && !(t.id in MANUAL_TASKS)).map((t) => `${t.id} (${t.text})`);
    expect(missing).toEqual([]);
    expect([...builtTopics].every((t) => TOPICS.some((x) => x.id === t))).toBe(true);
  });

  it('a lab ticks exactly the tasks it declares, all of its own topic, by calling ctx.complete', () => {
    const problems: string[] = [];
    for (const { folder, def } of labs) {
      const called = completedIn(folder);
      for (const t of def.tasks) {
        if (!isTaskId(t)) problems.push(`${def.id} declares unknown task ${t}`);
        else if (!t.startsWith(`${def.topic}.`)) problems.push(`${def.id} (topic ${def.topic}) declares ${t}`);
        if (!called.has(t)) problems.push(`${def.id} declares ${t} but never calls complete('${t}')`);
      }
      for (const t of called) if (!def.tasks.includes(t)) problems.push(`${def.id} calls complete('${t}') without declaring it in meta.tasks`);
    }
    expect(problems).toEqual([]);
  });

  it.each(labs.map((l) => [l.def.id, l.def] as const))("%s: defaults pass the schema and survive a share link", (id, def) => {
    const defaults = def.defaults();
    const parsed = v.safeParse(def.schema, defaults);
    expect(parsed.success, parsed.issues?.map((i) => i.message).join('; ')).toBe(true);
    expect(def.defaults()).not.toBe(defaults); // a fresh object each call
    const { states, problems } = decodeShare(encodeShare({ [id]: defaults }), { [id]: def.schema as v.GenericSchema });
    expect(problems).toEqual([]);
    expect(states[id]).toEqual(JSON.parse(JSON.stringify(defaults)));
  });

  it("lesson text and labs don't retype the shipped models' measured rates (they import them)", () => {
    const c = SHIPPED_METRICS.chat;
    const rates = [c.chat.qa.exactMatch, c.chat.json.exact, c.chat.toolCall.exact, c.registerRag.withRetrieval.exactMatch, c.registerRag.withTwoPassages.exactMatch];
    const pcts = [...new Set(rates.map((r) => Math.round(r * 100)).filter((p) => p > 0 && p < 100))];
    const texts = [...parts.map((p) => ({ where: p.path, text: readFileSync(resolve(__dirname, '../../..', p.path), 'utf8') })), ...labs.map((l) => ({ where: `src/labs/${l.folder}`, text: labSource(l.folder) }))];
    const hits = texts.flatMap(({ where, text }) => pcts.filter((p) => new RegExp(`(?<![\\d.])${p} ?%`).test(text)).map((p) => `${where} quotes ${p}%`));
    expect(hits).toEqual([]);
  });
});

/**
 * Lesson 2.2.d's raw-vs-curated comparison in Node, exactly as the curation lab runs it (the same
 * fine-tuning service, rows, probes, steps and adapter): used by `npm run finetune:measure`
 * (several seeds, written to results.json) and `npm run bench finetune` (one seed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../src/lib/tinylm/checkpoint';
import { createFinetuneService, type FinetuneResult } from '../../src/lib/finetune/service';
import { DEFAULT_LORA_CONFIG } from '../../src/lib/finetune/recipe';
import { unwrapResult, type CallContext } from '../../src/lib/rpc/protocol';
import { parseJsonl } from '../../src/lib/curation/dataset';
import { dirtySample } from '../../src/lib/curation/sample';
import { COMPARE_STEPS, defaultComparison, leakedPII, piiReplyRows } from '../../src/lib/curation/compare';
import { findPII } from '../../src/lib/curation/filters';

const dir = 'public/models/tinylm-chat';
const load = async () => loadModel({
  config: readFileSync(join(dir, 'config.json'), 'utf8'),
  safetensors: readFileSync(join(dir, 'model.safetensors')),
  tokenizer: readFileSync(join(dir, 'tokenizer.json'), 'utf8'),
});
const round = (x: number, d = 4) => Number(x.toFixed(d));

/** One side's figures. */
export interface SideFigures {
  rows: number;
  valLoss: number;
  format: number;
  exact: number;
  /** Probes (training prompts of raw rows with PII in the reply) answered with that PII. */
  leakedProbes: number;
  probes: number;
  /** Held-out replies with an e-mail address, phone number or IP address. */
  heldOutPII: number;
  cpuSeconds: number;
  bad: { question: string; got: string }[];
  probeReplies: string[];
}

/** Runs raw then curated for each seed; returns per-seed figures. */
export async function measureCuration(seeds: number[], steps = COMPARE_STEPS, log = console.log) {
  const svc = createFinetuneService(load);
  unwrapResult(await svc.load(dir));
  const { tokenizer } = await load();
  const { text, manifest } = dirtySample();
  const { rows } = parseJsonl(text);
  const sets = defaultComparison(tokenizer, rows);
  const probes = piiReplyRows(sets.raw);
  const ctx: CallContext<never> = { signal: new AbortController().signal, progress: async () => {} };
  const runs: Array<{ seed: number; raw: SideFigures; curated: SideFigures }> = [];
  for (const seed of seeds) {
    const out: Partial<Record<'raw' | 'curated', SideFigures>> = {};
    for (const side of ['raw', 'curated'] as const) {
      const c0 = process.cpuUsage();
      const res: FinetuneResult = unwrapResult(await svc.run({ requestId: seed, method: 'lora', lora: DEFAULT_LORA_CONFIG, steps, seed, rows: sets[side], probes }, ctx as never));
      const c1 = process.cpuUsage(c0);
      out[side] = {
        rows: sets[side].length, valLoss: round(res.valLoss), format: res.score.format, exact: res.score.exact,
        leakedProbes: probes.filter((m, i) => leakedPII(res.probeReplies[i], m[m.length - 1].content).length > 0).length, probes: probes.length,
        heldOutPII: res.score.replies.filter((r) => findPII(r).length > 0).length,
        cpuSeconds: round((c1.user + c1.system) / 1e6, 1), bad: res.score.bad.slice(0, 3), probeReplies: res.probeReplies.slice(0, 2),
      };
      const f = out[side]!;
      log(`  seed ${seed} ${side.padEnd(7)} ${String(f.rows).padStart(3)} rows: held-out loss ${f.valLoss.toFixed(3)}, format ${f.format.toFixed(2)}, right ${f.exact.toFixed(2)}, leaked ${f.leakedProbes}/${f.probes} probes, ${f.cpuSeconds} s CPU`);
    }
    runs.push({ seed, raw: out.raw!, curated: out.curated! });
  }
  const mean = (side: 'raw' | 'curated', k: 'valLoss' | 'format' | 'exact' | 'leakedProbes') => round(runs.reduce((s, r) => s + r[side][k], 0) / runs.length);
  const summary = Object.fromEntries((['raw', 'curated'] as const).map((s) => [s, {
    rows: sets[s].length, valLoss: mean(s, 'valLoss'), format: mean(s, 'format'), exact: mean(s, 'exact'), leakedProbes: mean(s, 'leakedProbes'), probes: probes.length,
  }])) as Record<'raw' | 'curated', { rows: number; valLoss: number; format: number; exact: number; leakedProbes: number; probes: number }>;
  return { steps, seeds, manifest, lora: DEFAULT_LORA_CONFIG, mean: summary, runs };
}

/**
 * SFT rows from the learner's files (JSONL or CSV) and the shipped dirty sample, and the curation
 * pipeline: parse (bad lines get their number and reason) → PII masking → exact and near
 * duplicates → Gopher rules → length against the context window → train/validation split.
 *
 * Accepted shapes, per JSONL line or CSV row:
 *   {"messages": [{"role": "system"|"user"|"assistant", "content": "…"}, …]}   (OpenAI chat)
 *   {"prompt": "…", "response"|"completion": "…"}                              (prompt/response)
 *   {"instruction": "…", "input": "…", "output": "…"}                           (Alpaca)
 *   CSV with a header naming prompt,response (or instruction,output / question,answer).
 */
import type { ChatMessage } from '../tinylm/corpus/instruct';
import { exactDuplicates, nearDuplicates, DEFAULT_NEAR_DUP, type NearDupOptions } from './dedup';
import { GOPHER_THRESHOLDS, gopherFailures, maskPII, type GopherThresholds } from './filters';

/** One parsed example with the line it came from (1-based). */
export interface SftRow {
  line: number;
  messages: ChatMessage[];
}

/** A line that could not be used, and why. */
export interface BadLine {
  line: number;
  reason: string;
}

const ROLES = new Set(['system', 'user', 'assistant']);

/** Turns one JSON value into messages, or a reason it cannot be. */
export function toMessages(v: unknown): ChatMessage[] | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const o = v as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === 'string' ? x : typeof x === 'number' ? String(x) : null);
  if (Array.isArray(o.messages)) {
    const out: ChatMessage[] = [];
    for (const m of o.messages) {
      const role = (m as { role?: unknown })?.role, content = str((m as { content?: unknown })?.content);
      if (typeof role !== 'string' || !ROLES.has(role)) return `a message has role ${JSON.stringify(role)} (expected system, user or assistant)`;
      if (content === null) return 'a message has no text content';
      out.push({ role: role as ChatMessage['role'], content });
    }
    if (out.at(-1)?.role !== 'assistant') return 'the last message is not the assistant’s reply';
    if (!out.some((m) => m.role === 'user')) return 'no user message';
    return out;
  }
  const prompt = str(o.prompt ?? o.question ?? o.instruction);
  const reply = str(o.response ?? o.completion ?? o.answer ?? o.output);
  if (prompt === null || reply === null) return 'no "messages", "prompt"/"response" or "instruction"/"output" fields';
  const input = str(o.input);
  return [{ role: 'user', content: input ? `${prompt}\n${input}` : prompt }, { role: 'assistant', content: reply }];
}

/** Parses JSONL text: one object per non-empty line. */
export function parseJsonl(text: string): { rows: SftRow[]; bad: BadLine[] } {
  const rows: SftRow[] = [], bad: BadLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      bad.push({ line: i + 1, reason: 'not valid JSON' });
      return;
    }
    const m = toMessages(v);
    if (typeof m === 'string') bad.push({ line: i + 1, reason: m });
    else rows.push({ line: i + 1, messages: m });
  });
  return { rows, bad };
}

/** Splits CSV text into records (RFC 4180 quotes; newlines inside quotes allowed); each with its first line number. */
export function parseCsvRecords(text: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [], cell = '', quoted = false, line = 1, start = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ',') cells.push(cell), (cell = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((x) => x.length)) out.push({ line: start, cells });
      cells = [];
      cell = '';
      line++;
      start = line;
    } else cell += c;
  }
  cells.push(cell);
  if (cells.some((x) => x.length)) out.push({ line: start, cells });
  return out;
}

/** Parses CSV with a header row naming the prompt and reply columns. */
export function parseCsv(text: string): { rows: SftRow[]; bad: BadLine[] } {
  const recs = parseCsvRecords(text);
  if (!recs.length) return { rows: [], bad: [{ line: 1, reason: 'the file is empty' }] };
  const head = recs[0].cells.map((h) => h.trim().toLowerCase());
  const pi = head.findIndex((h) => ['prompt', 'instruction', 'question', 'user'].includes(h));
  const ri = head.findIndex((h) => ['response', 'completion', 'output', 'answer', 'assistant'].includes(h));
  if (pi < 0 || ri < 0) return { rows: [], bad: [{ line: 1, reason: `the header "${recs[0].cells.join(',')}" has no prompt and response columns` }] };
  const rows: SftRow[] = [], bad: BadLine[] = [];
  for (const r of recs.slice(1)) {
    if (r.cells.length !== head.length) bad.push({ line: r.line, reason: `${r.cells.length} cells, the header has ${head.length}` });
    else if (!r.cells[pi].trim() || !r.cells[ri].trim()) bad.push({ line: r.line, reason: 'empty prompt or response' });
    else rows.push({ line: r.line, messages: [{ role: 'user', content: r.cells[pi] }, { role: 'assistant', content: r.cells[ri] }] });
  }
  return { rows, bad };
}

/** Parses a learner's file by its name (".csv" → CSV, anything else → JSONL). */
export function parseDataset(name: string, text: string): { rows: SftRow[]; bad: BadLine[] } {
  return /\.csv$/i.test(name) ? parseCsv(text) : parseJsonl(text);
}

/** What the pipeline does. */
export interface CurationOptions {
  pii: boolean;
  exactDedup: boolean;
  nearDedup: boolean;
  near: NearDupOptions;
  gopher: boolean;
  thresholds: GopherThresholds;
  /** Drop rows longer than this many tokens (the context window); 0 = keep all. */
  maxTokens: number;
  /** Fraction of kept rows for validation. */
  valFraction: number;
}

export const DEFAULT_CURATION: CurationOptions = {
  pii: true, exactDedup: true, nearDedup: true, near: DEFAULT_NEAR_DUP, gopher: true,
  // CS336's thresholds except minWords: 50 words is a web-page rule; a chat example is shorter.
  thresholds: { ...GOPHER_THRESHOLDS, minWords: 5 }, maxTokens: 256, valFraction: 0.1,
};

/** The fate of one row. */
export interface RowDecision {
  line: number;
  messages: ChatMessage[];
  /** null = kept; else why it was dropped. */
  dropped: string | null;
  split: 'train' | 'val' | null;
  tokens: number;
  pii: { emails: number; phones: number; ips: number };
}

/** Text a row is judged by: every message's content, one per line. */
export const rowText = (m: ChatMessage[]) => m.map((x) => x.content).join('\n');

/**
 * Runs the pipeline over parsed rows. `countTokens` measures a row in the model's chat template.
 * Dropping order: exact duplicate → near duplicate → Gopher rule → too long.
 */
export function curate(rows: SftRow[], countTokens: (m: ChatMessage[]) => number, o: CurationOptions = DEFAULT_CURATION): RowDecision[] {
  const out: RowDecision[] = rows.map((r) => {
    let pii = { emails: 0, phones: 0, ips: 0 };
    let messages = r.messages;
    if (o.pii) {
      messages = r.messages.map((m) => {
        const x = maskPII(m.content);
        pii = { emails: pii.emails + x.emails, phones: pii.phones + x.phones, ips: pii.ips + x.ips };
        return { ...m, content: x.text };
      });
    }
    return { line: r.line, messages, dropped: null, split: null, tokens: countTokens(messages), pii };
  });
  const texts = out.map((d) => rowText(d.messages));
  if (o.exactDedup) {
    const keep = exactDuplicates(texts);
    keep.forEach((k, i) => k !== i && (out[i].dropped = `exact duplicate of line ${out[k].line}`));
  }
  if (o.nearDedup) {
    const alive = out.map((d, i) => [d, i] as const).filter(([d]) => !d.dropped);
    const res = nearDuplicates(alive.map(([, i]) => texts[i]), o.near);
    res.keepOf.forEach((k, j) => {
      if (k === j) return;
      const c = res.candidates.find((p) => (p.i === k && p.j === j) || (p.i === j && p.j === k));
      alive[j][0].dropped = `near duplicate of line ${alive[k][0].line}${c ? ` (Jaccard ${c.jaccard.toFixed(2)})` : ''}`;
    });
  }
  for (const d of out) {
    if (d.dropped) continue;
    if (o.gopher) {
      const f = gopherFailures(rowText(d.messages), o.thresholds);
      if (f.length) {
        d.dropped = `quality: ${f.join('; ')}`;
        continue;
      }
    }
    if (o.maxTokens > 0 && d.tokens > o.maxTokens) d.dropped = `${d.tokens} tokens, longer than the ${o.maxTokens}-token window`;
  }
  // Deterministic split by a hash of the text, so adding rows does not reshuffle the others.
  for (const d of out) {
    if (d.dropped) continue;
    let h = 2166136261;
    for (const ch of rowText(d.messages)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    d.split = h / 4294967296 < o.valFraction ? 'val' : 'train';
  }
  return out;
}

/**
 * Readers for standard IR test collections:
 * - TREC: corpus of `<DOC><DOCNO>id</DOCNO>…</DOC>` (all other fields' text kept), topics in
 *   `<top><num>…<title>…` SGML (the title is the query, as in the usual "title-only" runs) or
 *   `qid<TAB>text` lines, qrels as `qid iter docno rel` lines.
 * - BEIR: `corpus.jsonl` ({_id, title, text}), `queries.jsonl` ({_id, text}), qrels TSV with a
 *   `query-id corpus-id score` header.
 */
import type { Qrels } from './metrics';

export interface IrDoc {
  id: string;
  /** title and body joined (BEIR's BM25 baseline indexes both) */
  text: string;
}
export interface IrQuery {
  id: string;
  text: string;
}

const stripTags = (s: string) => s.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();

/** Parses a TREC SGML corpus. */
export function parseTrecCorpus(src: string): IrDoc[] {
  const out: IrDoc[] = [];
  for (const m of src.matchAll(/<DOC>([\s\S]*?)<\/DOC>/gi)) {
    const body = m[1];
    const id = /<DOCNO>\s*([\s\S]*?)\s*<\/DOCNO>/i.exec(body)?.[1];
    if (!id) continue;
    out.push({ id, text: stripTags(body.replace(/<DOCNO>[\s\S]*?<\/DOCNO>/i, '')) });
  }
  return out;
}

/** Parses TREC topics (SGML `<top>` blocks, title field; open or closed tags) or `qid<TAB>text` lines. */
export function parseTrecTopics(src: string): IrQuery[] {
  if (/<top>/i.test(src)) {
    const out: IrQuery[] = [];
    for (const m of src.matchAll(/<top>([\s\S]*?)<\/top>/gi)) {
      const b = m[1];
      // Both TREC's open fields (`<num> Number: 401` then `<title> …` up to the next tag) and
      // closed ones (`<num>1</num><title>…</title>`, as PyTerrier ships Vaswani) occur.
      const id = /<num>\s*(?:Number:)?\s*([^\s<]+)/i.exec(b)?.[1];
      const title = /<title>\s*(?:Topic:)?\s*([\s\S]*?)(?=<\/?\w+>|$)/i.exec(b)?.[1];
      if (id && title) out.push({ id, text: stripTags(title) });
    }
    return out;
  }
  return src
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [id, ...rest] = l.split('\t');
      return { id, text: rest.join(' ') };
    })
    .filter((q) => q.id && q.text);
}

/** Parses TREC qrels (`qid iter docno rel`) or BEIR qrels TSV (`query-id corpus-id score`, header optional). */
export function parseQrels(src: string): Qrels {
  const qrels: Qrels = new Map();
  for (const line of src.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || f[0] === 'query-id') continue;
    const [qid, doc, rel] = f.length >= 4 ? [f[0], f[2], f[3]] : [f[0], f[1], f[2]];
    const g = Number(rel);
    if (!Number.isFinite(g)) continue;
    let m = qrels.get(qid);
    if (!m) qrels.set(qid, (m = new Map()));
    m.set(doc, g);
  }
  return qrels;
}

/** Parses a BEIR corpus.jsonl. */
export function parseBeirCorpus(src: string): IrDoc[] {
  return jsonl(src).map((o) => ({ id: String(o._id), text: [o.title, o.text].filter((s) => typeof s === 'string' && s).join(' ') }));
}

/** Parses a BEIR queries.jsonl. */
export function parseBeirQueries(src: string): IrQuery[] {
  return jsonl(src).map((o) => ({ id: String(o._id), text: String(o.text ?? '') }));
}

function jsonl(src: string): Array<Record<string, unknown>> {
  return src
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`Line ${i + 1} is not valid JSON.`);
      }
    });
}

/** Reads a corpus in either format (JSON lines → BEIR, else TREC SGML). */
export function parseCorpus(src: string): IrDoc[] {
  return src.trimStart().startsWith('{') ? parseBeirCorpus(src) : parseTrecCorpus(src);
}

/** Reads queries in either format. */
export function parseQueries(src: string): IrQuery[] {
  return src.trimStart().startsWith('{') ? parseBeirQueries(src) : parseTrecTopics(src);
}

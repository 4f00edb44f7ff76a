/**
 * Splits a text into plain segments, marking the words whose analysed form matches a query's
 * terms, so the UI can render highlights as text nodes (no HTML strings, nothing to sanitise).
 */
import { analyze } from './analyze';

export interface Segment {
  text: string;
  hit: boolean;
}

/** Segments of `text` with `hit` on words matching any of the analysed `query` terms. */
export function highlightSegments(text: string, query: string): Segment[] {
  const terms = new Set(analyze(query));
  if (terms.size === 0) return [{ text, hit: false }];
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(/[\p{L}\p{N}]+(?:['’]s)?/gu)) {
    const [t] = analyze(m[0]);
    if (t === undefined || !terms.has(t)) continue;
    if (m.index! > last) out.push({ text: text.slice(last, m.index), hit: false });
    out.push({ text: m[0], hit: true });
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), hit: false });
  return out;
}

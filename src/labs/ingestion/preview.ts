/** Turns chunk spans into coloured preview segments: which chunk(s) cover each stretch of text. */
import type { Span } from '../../lib/rag/splitters';

export interface PreviewSegment {
  text: string;
  /** index of the first chunk covering it, -1 for text in no chunk (trimmed whitespace) */
  chunk: number;
  /** covered by two chunks (overlap) */
  overlap: boolean;
}

/** Segments of `text[0, limit)` with chunk membership. */
export function previewSegments(text: string, spans: Span[], limit = 8000): PreviewSegment[] {
  const end = Math.min(text.length, limit);
  const cuts = new Set<number>([0, end]);
  for (const s of spans) {
    if (s.start < end) cuts.add(s.start);
    if (s.end < end) cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: PreviewSegment[] = [];
  let first = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    while (first < spans.length && spans[first].end <= a) first++;
    let chunk = -1;
    let count = 0;
    for (let j = first; j < spans.length && spans[j].start <= a; j++) {
      if (spans[j].end > a) {
        if (chunk < 0) chunk = j;
        count++;
      }
    }
    out.push({ text: text.slice(a, b), chunk, overlap: count > 1 });
  }
  return out;
}

/**
 * The RAG pipeline as explicit steps the lab shows one by one:
 *   query → retrieve (top-k) → augment (prompt template + numbered sources) → generate (streamed)
 * plus an extractive baseline that needs no model (the best-matching sentence of the sources).
 */
import type { ChatEngine, ChatMessage } from '../engine/types';
import { analyze } from './analyze';
import type { SearchResult } from './retriever';
import { sentenceSpans } from './splitters';
import { markdownToPlain } from './plain';

export const DEFAULT_TEMPLATE = `Answer the question using only the numbered sources. Cite the sources you use like [1]. If the sources do not contain the answer, say you don't know.

Sources:
{context}

Question: {question}`;

export const NO_RETRIEVAL_TEMPLATE = `Question: {question}`;

/**
 * The template that matches TinyLM-chat's training format. `{passages}` is the retrieved chunks'
 * plain text (no numbers or headers, which the tiny model never saw).
 */
export const TINY_TEMPLATE = `Context: {passages}\nQuestion: {question}`;

/** "[n] (doc, p. x) text" blocks, numbered from 1 in rank order. */
export function formatContext(results: SearchResult[], maxCharsPerChunk = 1200): string {
  return results
    .map((r, i) => {
      const where = [r.chunk.docName, r.chunk.page ? `p. ${r.chunk.page}` : '', r.chunk.heading ?? ''].filter(Boolean).join(', ');
      const text = r.chunk.text.length > maxCharsPerChunk ? r.chunk.text.slice(0, maxCharsPerChunk) + '…' : r.chunk.text;
      return `[${i + 1}] (${where})\n${text}`;
    })
    .join('\n\n');
}

/**
 * Fills the template: `{context}` = numbered sources with their origin, `{passages}` = the chunks'
 * plain text joined (for small models that never saw numbered sources), `{question}`. A template
 * with neither {context} nor {passages} gets the numbered sources appended.
 */
export function augment(template: string, question: string, results: SearchResult[]): string {
  const hasSources = template.includes('{context}') || template.includes('{passages}');
  let prompt = hasSources || results.length === 0 ? template : `${template}\n\nSources:\n{context}`;
  if (prompt.includes('{context}')) prompt = prompt.replaceAll('{context}', formatContext(results));
  // Small models never saw Markdown: their passages are plain reading text.
  if (prompt.includes('{passages}')) prompt = prompt.replaceAll('{passages}', results.map((r) => markdownToPlain(r.chunk.text).trim()).join(' '));
  return prompt.includes('{question}') ? prompt.replaceAll('{question}', question) : `${prompt}\n\nQuestion: ${question}`;
}

/** The source numbers cited as [n] in an answer (in order of first mention, valid ones only). */
export function citedSources(answer: string, nSources: number): number[] {
  const seen: number[] = [];
  for (const m of answer.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)) {
    for (const s of m[1].split(',')) {
      const n = Number(s.trim());
      if (n >= 1 && n <= nSources && !seen.includes(n)) seen.push(n);
    }
  }
  return seen;
}

/** Streams the model's answer (text deltas). */
export async function* generate(
  engine: Pick<ChatEngine, 'chat'>,
  prompt: string,
  opts: { system?: string; maxTokens?: number; temperature?: number; signal?: AbortSignal; model?: string } = {},
): AsyncGenerator<string> {
  const messages: ChatMessage[] = [];
  if (opts.system) messages.push({ role: 'system', content: opts.system });
  messages.push({ role: 'user', content: prompt });
  const stream = await engine.chat.completions.create({
    messages,
    stream: true,
    max_tokens: opts.maxTokens ?? 200,
    temperature: opts.temperature ?? 0,
    signal: opts.signal,
    model: opts.model,
  });
  for await (const chunk of stream) {
    const d = chunk.choices[0]?.delta?.content;
    if (d) yield d;
  }
}

export interface ExtractiveAnswer {
  /** the sentence, verbatim from a source */
  text: string;
  /** 1-based source number */
  source: number;
  /** share of the question's terms it contains, 0..1 */
  overlap: number;
}

/**
 * Extractive baseline: the sentence of the retrieved sources that shares the most (IDF-free)
 * stemmed terms with the question, earlier sources winning ties. No model involved.
 */
export function extractiveAnswer(question: string, results: SearchResult[]): ExtractiveAnswer | null {
  const q = new Set(analyze(question));
  if (q.size === 0) return null;
  let best: ExtractiveAnswer | null = null;
  results.forEach((r, i) => {
    for (const [a, b] of sentenceSpans(r.chunk.text)) {
      const sentence = r.chunk.text.slice(a, b).trim();
      if (sentence.length < 12 || /^#/.test(sentence)) continue;
      const terms = new Set(analyze(sentence));
      let hit = 0;
      for (const t of q) if (terms.has(t)) hit++;
      // prefer sentences that contain the question's terms, then shorter ones (less padding)
      const overlap = hit / q.size;
      const score = overlap - i * 0.01 - sentence.length / 1e5;
      if (hit > 0 && (!best || score > best.overlap - (best.source - 1) * 0.01 - best.text.length / 1e5)) best = { text: sentence, source: i + 1, overlap };
    }
  });
  // shown as reading text: a sentence cut from a lesson keeps no `**`, `$$` or backticks
  return best ? { ...(best as ExtractiveAnswer), text: markdownToPlain((best as ExtractiveAnswer).text) } : null;
}

export type AnswerSegment = { text: string; cite?: undefined } | { text: string; cite: number };

/** Splits an answer into text and citation markers ([n] with 1 ≤ n ≤ nSources) for linking. */
export function answerSegments(answer: string, nSources: number): AnswerSegment[] {
  const out: AnswerSegment[] = [];
  let last = 0;
  for (const m of answer.matchAll(/\[(\d+)\]/g)) {
    const n = Number(m[1]);
    if (n < 1 || n > nSources) continue;
    if (m.index! > last) out.push({ text: answer.slice(last, m.index) });
    out.push({ text: m[0], cite: n });
    last = m.index! + m[0].length;
  }
  if (last < answer.length) out.push({ text: answer.slice(last) });
  return out;
}

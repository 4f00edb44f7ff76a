/**
 * A small labelled question set about the course text, for the lesson's retrieval table.
 * Relevance is judged per lesson part: `1.4/vector-search` names one part, `1.1/*` any part of
 * topic 1.1. Questions whose relevant parts are not in the course (yet) are skipped, and the
 * table says how many were.
 */
import type { CourseDoc } from './course';
import { evaluateRun, type Qrels, type Run, type RunMetrics } from './metrics';
import type { Retriever, RetrieverMode } from './retriever';

export interface CourseQuestion {
  id: string;
  question: string;
  relevant: string[];
}

export const COURSE_QUESTIONS: CourseQuestion[] = [
  { id: 'q1', question: 'Why is cosine similarity equal to the dot product for normalised vectors?', relevant: ['1.4/embeddings'] },
  { id: 'q2', question: 'What query prefix does snowflake-arctic-embed expect?', relevant: ['1.4/embeddings'] },
  { id: 'q3', question: 'Can a lexical embedder match synonyms like car and automobile?', relevant: ['1.4/embeddings'] },
  { id: 'q4', question: 'What does chunk overlap buy you and what does it cost?', relevant: ['1.4/ingestion'] },
  { id: 'q5', question: 'How are PDF page numbers kept for citations?', relevant: ['1.4/ingestion'] },
  { id: 'q6', question: 'What happens to scripts when an HTML page is ingested?', relevant: ['1.4/ingestion'] },
  { id: 'q7', question: 'Which splitter never cuts across a Markdown heading?', relevant: ['1.4/ingestion'] },
  { id: 'q8', question: 'Why do k-d trees fade in high dimensions?', relevant: ['1.4/vector-search'] },
  { id: 'q9', question: 'How does reciprocal rank fusion combine BM25 and vector rankings?', relevant: ['1.4/vector-search'] },
  { id: 'q10', question: 'What are the BM25 parameters k1 and b?', relevant: ['1.4/vector-search'] },
  { id: 'q11', question: 'How is nDCG@10 computed from graded relevance?', relevant: ['1.4/vector-search'] },
  { id: 'q12', question: 'How many bytes does a 384-dimensional Float32 vector take?', relevant: ['1.4/vector-search'] },
  { id: 'q13', question: 'What are the four steps of a RAG pipeline?', relevant: ['1.4/pipeline'] },
  { id: 'q14', question: 'What goes wrong when the query is embedded with a different model than the chunks?', relevant: ['1.4/pipeline'] },
  { id: 'q15', question: 'What is an extractive answer baseline?', relevant: ['1.4/pipeline'] },
  { id: 'q16', question: 'How does byte-level BPE tokenization merge pairs?', relevant: ['1.1/*'] },
  { id: 'q17', question: 'What do temperature and top-p do when sampling the next token?', relevant: ['1.1/*'] },
  { id: 'q18', question: 'How do few-shot examples and chain-of-thought prompting help?', relevant: ['1.2/*'] },
  { id: 'q19', question: 'How does LoRA fine-tuning reduce the number of trained parameters?', relevant: ['2.2/*'] },
  { id: 'q20', question: 'What does the KV cache store during inference?', relevant: ['3.1/*'] },
];

/** Expands the relevance patterns against the course documents (1 = relevant). */
export function courseQrels(docs: CourseDoc[], questions = COURSE_QUESTIONS): { qrels: Qrels; skipped: string[] } {
  const qrels: Qrels = new Map();
  const skipped: string[] = [];
  for (const q of questions) {
    const rel = new Map<string, number>();
    for (const pattern of q.relevant) {
      for (const d of docs) {
        if (pattern.endsWith('/*') ? d.topic === pattern.slice(0, -2) : d.id === pattern) rel.set(d.id, 1);
      }
    }
    if (rel.size === 0) skipped.push(q.id);
    else qrels.set(q.id, rel);
  }
  return { qrels, skipped };
}

/**
 * Scores retrievers on the course questions at the document level: a ranking of chunks becomes
 * a ranking of lesson parts (each part at the rank of its best chunk).
 */
export async function evaluateCourseRetrieval(
  retriever: Retriever,
  docs: CourseDoc[],
  modes: Array<{ label: string; mode: RetrieverMode; mix?: number }>,
  depth = 100,
): Promise<{ rows: Array<{ label: string; metrics: RunMetrics }>; skipped: string[] }> {
  const { qrels, skipped } = courseQrels(docs);
  const rows = [];
  for (const m of modes) {
    const run: Run = new Map();
    for (const q of COURSE_QUESTIONS) {
      if (!qrels.has(q.id)) continue;
      const hits = await retriever.search(q.question, { k: depth, mode: m.mode, mix: m.mix });
      run.set(q.id, [...new Set(hits.map((h) => h.chunk.docId))]);
    }
    rows.push({ label: m.label, metrics: evaluateRun(run, qrels, [1, 3, 10]) });
  }
  return { rows, skipped };
}

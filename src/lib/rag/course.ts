/**
 * "Ask the course": the lab's own lesson texts as a default collection. Built in memory from the
 * lesson parts (the lab loads them lazily with import.meta.glob) with the built-in lexical
 * embedder, so RAG works offline in a fresh install with no download and no GPU.
 */
import { LexicalEmbedder } from './embedders';
import { Retriever, type SearchChunk } from './retriever';
import { split } from './splitters';
import { FlatIndex } from './vector-index';

export const COURSE_COLLECTION_ID = 'course';

/** What of a lesson part the course collection reads (the curriculum's LessonPart has these). */
export interface CoursePart {
  topic: string;
  title: string;
  order: number;
  body: string;
  after?: string;
  quiz?: ReadonlyArray<{ question: string; choices: readonly string[]; answer: number; explanation: string }>;
}

export interface CourseDoc {
  /** `1.4/embeddings` (topic / file name) */
  id: string;
  topic: string;
  name: string;
  text: string;
}

/** One document per lesson part: title, body, text after the labs, and the quiz with explanations. */
export function courseDocuments(parts: Array<{ path: string; part: CoursePart }>): CourseDoc[] {
  return parts
    .map(({ path, part }) => {
      const file = path.split('/').pop()!.replace(/\.ts$/, '');
      const quiz = (part.quiz ?? []).map((q) => `**${q.question}** ${q.choices[q.answer]}. ${q.explanation}`).join('\n\n');
      const text = [`# ${part.title}`, part.body.trim(), part.after?.trim(), quiz ? `## Quiz\n\n${quiz}` : ''].filter(Boolean).join('\n\n');
      return { id: `${part.topic}/${file}`, topic: part.topic, name: `${part.topic} · ${part.title}`, text, order: part.order };
    })
    .sort((a, b) => a.topic.localeCompare(b.topic, undefined, { numeric: true }) || a.order - b.order)
    .map(({ order: _order, ...d }) => d);
}

export interface CourseCollection {
  docs: CourseDoc[];
  chunks: SearchChunk[];
  retriever: Retriever;
}

/** Splits the course by Markdown headings (≈ 700 characters) and indexes it (lexical + BM25). */
export async function buildCourseCollection(docs: CourseDoc[], chunkSize = 700): Promise<CourseCollection> {
  const chunks: SearchChunk[] = [];
  for (const d of docs) {
    split(d.text, { kind: 'markdown', size: chunkSize, overlap: 100 }).forEach((s, i) => {
      chunks.push({ id: `${d.id}#${i}`, docId: d.id, docName: d.name, text: s.text, start: s.start, end: s.end, heading: s.heading });
    });
  }
  const embedder = new LexicalEmbedder();
  const vectors = new Float32Array(chunks.length * embedder.dims);
  (await embedder.embed(chunks.map((c) => (c.heading ? `${c.heading}\n${c.text}` : c.text)), 'document')).forEach((v, i) => vectors.set(v, i * embedder.dims));
  const retriever = new Retriever(chunks, vectors, embedder, new FlatIndex(embedder.dims, Math.max(1, chunks.length)));
  return { docs, chunks, retriever };
}

/**
 * "Town register": a built-in collection made for the built-in model. Each document is a short
 * profile of an invented person written in exactly the sentences TinyLM-chat was trained to read
 * ("Tallo lives in Zugu. Tallo works as a baker. …"), drawn from a seed no training split uses, so
 * the answers cannot come from the model's weights: asked "Where does Tallo live?" without
 * retrieval it can only guess a city; with the retrieved profile in its prompt it copies the answer.
 * That makes the RAG pipeline's effect visible with no download and no GPU.
 */
import { personProfile } from '../tinylm/corpus/instruct';
import { normalizeAnswer } from '../tinylm/eval';
import { RNG } from '../tinylm/rng';
import { LexicalEmbedder } from './embedders';
import { Retriever, type SearchChunk } from './retriever';
import { FlatIndex } from './vector-index';
import { augment, NO_RETRIEVAL_TEMPLATE, TINY_TEMPLATE } from './pipeline';

export const REGISTER_COLLECTION_ID = 'register';
/** Seed of the register (the training corpora use 1001–6006). */
export const REGISTER_SEED = 7007;

export interface RegisterPerson {
  id: string;
  name: string;
  text: string;
  /** questions the profile answers, with the answer as written in it */
  qa: [string, string][];
}

/** `n` people with distinct names (deterministic). */
export function registerPeople(n = 40, seed = REGISTER_SEED): RegisterPerson[] {
  const rng = new RNG(seed);
  const people: RegisterPerson[] = [];
  const names = new Set<string>();
  while (people.length < n) {
    const p = personProfile(rng);
    if (names.has(p.name)) continue;
    names.add(p.name);
    people.push({ id: `register/${people.length + 1}`, name: p.name, text: p.sentences.join(' '), qa: p.qa });
  }
  return people;
}

export { TINY_TEMPLATE };

export interface RegisterCollection {
  people: RegisterPerson[];
  chunks: SearchChunk[];
  retriever: Retriever;
}

/** One chunk per profile, indexed with the lexical embedder and BM25 (in memory). */
export async function buildRegisterCollection(people = registerPeople()): Promise<RegisterCollection> {
  const chunks: SearchChunk[] = people.map((p) => ({ id: `${p.id}#0`, docId: p.id, docName: `Town register · ${p.name}`, text: p.text, start: 0, end: p.text.length }));
  const embedder = new LexicalEmbedder();
  const vectors = new Float32Array(chunks.length * embedder.dims);
  (await embedder.embed(chunks.map((c) => c.text), 'document')).forEach((v, i) => vectors.set(v, i * embedder.dims));
  return { people, chunks, retriever: new Retriever(chunks, vectors, embedder, new FlatIndex(embedder.dims, chunks.length)) };
}

/** Result of asking the register's questions through a model, with or without retrieval. */
export interface RegisterQAResult {
  n: number;
  exactMatch: number;
  samples: { question: string; expected: string; got: string }[];
}

/**
 * Asks one question per person (the i-th person's (i mod facts)-th fact) and scores exact match
 * after SQuAD-style normalisation. With `retrieval`, the prompt is `TINY_TEMPLATE` filled with the
 * top-`k` hybrid results; without, just `Question: …`. `answer` runs the model (greedy, in tests).
 */
export async function registerQA(
  answer: (prompt: string) => Promise<string>,
  opts: { retrieval: boolean; k?: number; n?: number; collection?: RegisterCollection },
): Promise<RegisterQAResult> {
  const col = opts.collection ?? (await buildRegisterCollection());
  const people = col.people.slice(0, opts.n ?? col.people.length);
  let hits = 0;
  const samples: RegisterQAResult['samples'] = [];
  for (const [i, p] of people.entries()) {
    const [question, expected] = p.qa[i % p.qa.length];
    const prompt = opts.retrieval
      ? augment(TINY_TEMPLATE, question, await col.retriever.search(question, { k: opts.k ?? 2, mode: 'hybrid', mix: 0.5 }))
      : NO_RETRIEVAL_TEMPLATE.replace('{question}', question);
    const got = (await answer(prompt)).trim();
    if (normalizeAnswer(got) === normalizeAnswer(expected)) hits++;
    if (samples.length < 5) samples.push({ question, expected, got });
  }
  return { n: people.length, exactMatch: people.length ? hits / people.length : 0, samples };
}

/**
 * Measures the RAG lab's abstention gate on the town register and writes
 * `src/lib/rag/abstention.json` (the figures the lab quotes; never typed by hand).
 *
 *   npx tsx scripts/rag-abstention.ts            (about half a minute on 2 cores)
 *
 * Answerable: every question of the register's 40 people. Unanswerable: the same questions about
 * 40 more people from the same generator (seed 7007, people 41–80, names not in the register)
 * plus "Where does Zorblat live?". The gate's score is the best BM25 score in the register;
 * `calibrateGate` picks the threshold. Then TinyLM-chat (greedy, top-1 hybrid retrieval, TinyLM's
 * format, no gate) answers the unanswerable questions: how often it answers anyway, copying a
 * fact of the wrong person.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { buildRegisterCollection, registerPeople, TINY_TEMPLATE } from '../src/lib/rag/register';
import { calibrateGate, relevanceGate } from '../src/lib/rag/abstain';
import { augment } from '../src/lib/rag/pipeline';
import { loadModel } from '../src/lib/tinylm/checkpoint';
import { greedyAnswer } from '../src/lib/tinylm/eval';

const OUT = 'src/lib/rag/abstention.json';
const ZORBLAT = 'Where does Zorblat live?';

const everyone = registerPeople(80);
const col = await buildRegisterCollection(everyone.slice(0, 40));
const answerable = col.people.flatMap((p) => p.qa.map(([q]) => q));
const unanswerable = [...everyone.slice(40).flatMap((p) => p.qa.map(([q]) => q)), ZORBLAT];
const best = (q: string) => relevanceGate(col.retriever.bm25, q, 0).best;
const cal = calibrateGate(answerable.map(best), unanswerable.map(best));

const dir = 'public/models/tinylm-chat/';
const { model, tokenizer } = loadModel({
  config: readFileSync(dir + 'config.json', 'utf8'), safetensors: readFileSync(dir + 'model.safetensors'), tokenizer: readFileSync(dir + 'tokenizer.json', 'utf8'),
});
let answered = 0, copied = 0;
let zorblat = '';
for (const q of unanswerable) {
  const hits = await col.retriever.search(q, { k: 1, mode: 'hybrid', mix: 0.5 });
  const got = greedyAnswer(model, tokenizer, augment(TINY_TEMPLATE, q, hits), 24).trim();
  if (q === ZORBLAT) zorblat = got;
  if (got) answered++;
  if (got && hits[0]!.chunk.text.toLowerCase().includes(got.toLowerCase().replace(/\.$/, ''))) copied++;
}
const result = {
  collection: 'register',
  signal: 'best BM25 score of the question in the collection',
  answerableQuestions: answerable.length,
  unanswerableQuestions: unanswerable.length,
  threshold: Math.round(cal.threshold * 1000) / 1000,
  answered: cal.answered,
  abstained: cal.abstained,
  zorblatBestScore: best(ZORBLAT),
  tinyWithoutGate: { answered: answered / unanswerable.length, copiedFromRetrieved: copied / unanswerable.length, zorblatAnswer: zorblat },
};
writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));

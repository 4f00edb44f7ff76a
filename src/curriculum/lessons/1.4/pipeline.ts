import { defineLessonPart } from '../../types';
import abstention from '../../../lib/rag/abstention.json';
import { percent as pct, REGISTER_RAG } from '../../../lib/tinylm/shipped-metrics';

/** In String.raw a backtick must be written \` (else it ends the template); this turns it back into a backtick. */
const md = (s: string): string => s.replaceAll('\\`', '`');

export default defineLessonPart({
  topic: '1.4',
  order: 40,
  title: 'The RAG pipeline: query → retrieve → augment → generate',
  body: md(String.raw`
Put the pieces together:

1. **Query** — the user's question (some systems rewrite it first).
2. **Retrieve** — embed the query *with the same embedder as the chunks* and take the top-$k$
   chunks (dense, BM25 or hybrid).
3. **Augment** — paste the chunks, numbered, into a prompt template around the question, with
   instructions: answer only from the sources, cite them as [1], [2], say "I don't know" otherwise.
4. **Generate** — the model streams an answer; the numbers it cites link back to the chunks, so a
   reader can check every claim.

The template is the contract between retrieval and generation, and you can edit it in the lab.
Compare with **answer without retrieval** to see what the model says from its own weights alone.

### The town register: RAG that a tiny model can do
The lab opens on a built-in collection made for TinyLM: forty invented people, one short profile
each ("Mosan lives in Dakar. Mosan works as a painter. She is 61 years old."), written in exactly
the sentences the chat model was fine-tuned on and drawn from a seed its training data never used.
The template is TinyLM's own format, \`Context: {passages}\` / \`Question: {question}\`, where
\`{passages}\` is the retrieved chunks' plain text. Ask "Where does Mosan live?": with retrieval
the model copies *Dakar* out of the profile; **also answer without retrieval** shows the same model
guessing a city, because the fact is in no weights, only in the collection. That is the whole
argument for RAG in one comparison: retrieval turns a question the model cannot answer into a
reading task it can. (\`npm run tinylm -- eval\` measures both rates on all forty people and writes
them to the chat model's \`metrics.json\`.)

### Knowing when not to answer
Retrieval always returns *something*: ask "Where does Zorblat live?" (nobody in the register) and
the top passage is simply the least bad profile. TinyLM was only ever trained on contexts that hold
the answer, so it copies that stranger's city with full confidence. The fix sits *before* the model:
a **relevance gate** that checks whether any passage is about the question at all. The lab uses the
best BM25 score of the question in the collection (a name is the rarest word of such a question, so
an absent name scores low everywhere); below a threshold the pipeline says "I don't know" and sends
nothing. Calibrated on ${abstention.answerableQuestions} answerable and ${abstention.unanswerableQuestions} unanswerable questions, the threshold
lets ${pct(abstention.answered)} of the answerable ones through and stops ${pct(abstention.abstained)} of the others; without it, TinyLM
answered ${pct(abstention.tinyWithoutGate.answered)} of the unanswerable questions anyway. A threshold is a trade-off (some good
questions are stopped) and must be calibrated per collection — BM25 scores grow with a collection's
vocabulary. Large models can be *told* to abstain in the template, and often do; a gate you can
measure is still worth having.

### The window is a budget
A prompt must fit the model's context window together with the answer. TinyLM's window is 256
tokens; three 700-character chunks of this course with the numbered-sources template need several
times that (the lab shows the count).
Before sending, the lab counts the prompt's tokens with the model's own tokenizer, drops the
lowest-ranked sources first and, if one source is still too long, cuts it at a word — and shows
the budget and what was trimmed. Sending an over-long prompt is an error; trimming it silently
hides from the reader which sources the answer could have used.

### "Ask the course"
The other built-in collection is this course itself: every lesson part, split at its headings and
indexed with the built-in lexical embedder and BM25. It works offline in a fresh install with no
download and no GPU. TinyLM cannot answer questions about these texts (they are far from its
training data), so the lab also shows an **extractive answer**: the sentence of the retrieved
sources that shares the most words with the question, with its citation — the kind of baseline a
RAG answer must beat. With a web-llm model or a remote endpoint, press **Reset template** for the
numbered-sources template and get a real abstractive answer with citations.

The register also shows the cost of **distractors**, which is why its default top-$k$ is 1. Raise it to 2 and a second person's profile sits next to the right one: the measured exact
match falls from ${pct(REGISTER_RAG.topK1)} to ${pct(REGISTER_RAG.topK2)} (without retrieval: ${pct(REGISTER_RAG.noRetrieval)}). Only a third of TinyLM's training contexts held two
people, and the retrieved distractor is the *most similar* profile — same sentence shapes, often
the same kind of fact — so the tiny model copies the value from the wrong person. (With a random
second profile instead of the retrieved one it does clearly better: similar distractors are the
hard ones.) Large models tolerate
extra passages far better, but not perfectly — irrelevant or badly placed context measurably
hurts them too ([Lost in the Middle](https://arxiv.org/abs/2307.03172)) — which is why re-ranking
and a small, precise $k$ matter.

### Where RAG goes wrong
- **Retrieval misses**: the answer is in the corpus but not in the top $k$ → better chunking,
  hybrid search, re-ranking (topic 3.2), more $k$.
- **Context stuffing**: too many chunks push the model past its context window or bury the answer.
- **Unfaithful generation**: the model ignores the sources or cites the wrong one → stricter
  template, a stronger model, checking citations.

Frameworks (LangChain, LlamaIndex) wrap these same steps in classes; this lab's store is also
available as a LangChain.js \`VectorStore\` and retriever for the frameworks lesson.
`),
  labs: ['rag-pipeline'],
  quiz: [
    {
      question: 'The chunks were embedded with model A. The query is embedded with model B. What happens?',
      choices: ['Retrieval is meaningless: the two vector spaces are unrelated', 'It works but is slower', 'It works if both have 384 dimensions', 'The database converts between them'],
      answer: 0,
      explanation: 'Each embedding model defines its own space; vectors from different models are not comparable, even at the same length. Re-embed the collection when you change model.',
    },
    {
      question: 'What is the main purpose of numbered citations in a RAG answer?',
      choices: ['Let the reader verify each claim against the retrieved source', 'Make the answer shorter', 'Improve retrieval recall', 'Reduce the number of tokens in the prompt'],
      answer: 0,
      explanation: 'Citations tie each statement to a source chunk, so errors and hallucinations can be spotted.',
    },
  ],
  resources: [
    { title: 'MLabonne LLM course — Building a RAG pipeline', url: 'https://github.com/mlabonne/llm-course' },
    { title: 'Retrieval-Augmented Generation (Lewis et al., 2020)', url: 'https://arxiv.org/abs/2005.11401' },
    { title: 'LangChain.js retrievers and vector stores', url: 'https://js.langchain.com/docs/concepts/vectorstores/' },
  ],
});

import { defineLessonPart } from '../../types';

export default defineLessonPart({
  topic: '1.4',
  order: 40,
  title: 'The RAG pipeline: query → retrieve → augment → generate',
  body: String.raw`
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

### "Ask the course"
The default collection is this course itself: every lesson part, split at its headings and
indexed with the built-in lexical embedder and BM25. It works offline in a fresh install with no
download and no GPU. With TinyLM (tiny, trained in this project) the generated text is weak, so
the lab also shows an **extractive answer**: the sentence of the retrieved sources that shares the
most words with the question, with its citation — the kind of baseline a RAG answer must beat.
With a web-llm model or a remote endpoint you get a real abstractive answer.

### Where RAG goes wrong
- **Retrieval misses**: the answer is in the corpus but not in the top $k$ → better chunking,
  hybrid search, re-ranking (topic 3.2), more $k$.
- **Context stuffing**: too many chunks push the model past its context window or bury the answer.
- **Unfaithful generation**: the model ignores the sources or cites the wrong one → stricter
  template, a stronger model, checking citations.

Frameworks (LangChain, LlamaIndex) wrap these same steps in classes; this lab's store is also
available as a LangChain.js \`VectorStore\` and retriever for the frameworks lesson.
`,
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

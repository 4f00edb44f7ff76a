import { defineLessonPart } from '../../types';

/** In String.raw a backtick must be written \` (else it ends the template); this turns it back into a backtick. */
const md = (s: string): string => s.replaceAll('\\`', '`');

export default defineLessonPart({
  topic: '1.4',
  order: 10,
  title: 'Embeddings: text as vectors',
  body: md(String.raw`
A language model only knows what was in its training data and what you put in its prompt.
**Retrieval-Augmented Generation (RAG)** puts the right facts in the prompt: before the model
answers, a search step finds the passages of *your* documents that are most relevant to the
question, and the model answers from them. Everything in this lesson runs in your browser.

### What an embedding is
An **embedding model** maps a piece of text to a vector of fixed length $d$ (384 for
snowflake-arctic-embed-s, 768 for -m, 1536 for OpenAI's text-embedding-3-small). It is trained
(contrastively) so that a question and a passage that answers it land close together, and
unrelated texts land far apart. "Close" is measured by the angle between vectors:

$$\cos(\mathbf q, \mathbf d) = \frac{\mathbf q \cdot \mathbf d}{\lVert \mathbf q \rVert\,\lVert \mathbf d \rVert}$$

If every vector is normalised to length 1 when it is stored, cosine similarity *is* the dot
product — which is why vector stores normalise once and then only multiply and add. The dot
product of *un*-normalised vectors also rewards length (long documents, frequent words), which
is rarely what you want for retrieval.

### Lexical vs neural
This lab ships a **lexical** embedder that needs no download: it hashes each (stemmed) word into
one of 768 buckets and weights it by TF-IDF. It can only match *words*: "car" and "automobile"
share nothing. A **neural** embedder (web-llm runs snowflake-arctic-embed on your GPU; a remote
server can serve any model at \`/v1/embeddings\`) matches *meanings*. Retrieval models are often
trained with an instruction on the query side: arctic-embed expects queries to start with
"Represent this sentence for searching relevant passages: " and documents to have no prefix —
forget it and retrieval quality drops.

In the lab below, embed a few sentences and a query: the plot projects the vectors to 2-D
(principal components — distances there are only approximate) and the table lists the exact
nearest neighbours.
`),
  labs: ['embeddings'],
  quiz: [
    {
      question: 'All stored vectors and the query are normalised to length 1. Which statement is true?',
      choices: ['Dot product and cosine similarity give the same ranking (and the same numbers)', 'Dot product favours longer documents', 'Euclidean distance gives a different ranking than cosine', 'You must use cosine; the dot product is meaningless'],
      answer: 0,
      explanation: 'For unit vectors q·d = cos(q, d), and ‖q − d‖² = 2 − 2 cos(q, d): all three rank identically.',
    },
    {
      question: 'Why might the built-in lexical embedder fail to find a passage about "automobiles" for the query "car"?',
      choices: ['It matches words, not meanings: the two words hash to unrelated buckets', 'Its vectors are too short', 'It forgot the query prefix', 'Cosine similarity cannot handle synonyms'],
      answer: 0,
      explanation: 'Hashed TF-IDF only scores shared (stemmed) words. A neural embedding model learns that car and automobile mean the same.',
    },
  ],
  resources: [
    { title: 'MLabonne LLM course — RAG section (the plan’s key resource)', url: 'https://github.com/mlabonne/llm-course' },
    { title: 'Sentence-BERT (Reimers & Gurevych, 2019)', url: 'https://arxiv.org/abs/1908.10084' },
    { title: 'Arctic-Embed (Snowflake, 2024)', url: 'https://arxiv.org/abs/2405.05374' },
  ],
});

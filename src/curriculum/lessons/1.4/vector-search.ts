import { defineLessonPart } from '../../types';

export default defineLessonPart({
  topic: '1.4',
  order: 30,
  title: 'Vector search: flat scans, k-d trees, BM25 and hybrid',
  body: String.raw`
A **vector database** (Chroma, Pinecone, pgvector, Qdrant …) stores vectors with their text and
metadata and answers "the $k$ nearest vectors to this query". Here the store is your browser's
IndexedDB: vectors are kept as raw Float32 bytes (a 384-dim vector is 1,536 bytes; as JSON it
would be about four times larger and slow to parse), and the index is rebuilt in memory when a
collection is opened.

### Exact search: the flat index
With normalised vectors, a search is one dot product per stored vector and a top-$k$ selection:
$O(N \cdot d)$ multiply-adds. For $N = 10{,}000$ chunks of $d = 384$ that is 3.8 M operations —
about a millisecond in a tight Float32Array loop. Exact, simple, and hard to beat below a few
hundred thousand vectors.

### k-d trees, and why they fade in high dimensions
A **k-d tree** (here: *voy*, compiled from Rust to WebAssembly) splits space by one coordinate
at a time, so a query can skip whole branches that are provably farther than the best match so
far. That pruning works in 2 or 3 dimensions. In 384 dimensions, distances concentrate: every
point is about equally far from the query, almost no branch can be ruled out, and the tree visits
nearly everything — a scan with extra overhead. Time them side by side in the lab. Production
systems use *approximate* indexes instead (HNSW graphs, IVF, product quantisation), trading a
little recall for large speed-ups. (voy also pads or truncates every vector to 768 dimensions and
returns no distances; we rebuild it from stored vectors rather than store its large JSON dump.)

### Keyword search: BM25
Dense vectors miss exact terms — names, error codes, rare words. **BM25** scores a chunk by each
query term's frequency in it, damped (parameter $k_1$) and normalised by chunk length ($b$), times
the term's rarity:

$$\text{BM25}(q, d) = \sum_{t \in q} \ln\!\Big(1 + \frac{N - n_t + 0.5}{n_t + 0.5}\Big) \frac{f_{t,d}}{f_{t,d} + k_1\big(1 - b + b\,\frac{|d|}{\text{avgdl}}\big)}$$

with Lucene's defaults here ($k_1 = 0.9$, $b = 0.4$) and the usual tokenisation: lowercase,
drop stopwords, Porter-stem.

### Hybrid search: reciprocal-rank fusion
BM25 scores and cosines live on different scales, so instead of adding scores, **RRF** adds
reciprocal *ranks*: $\text{score}(d) = \frac{w}{60 + r_\text{dense}(d)} + \frac{1 - w}{60 + r_\text{BM25}(d)}$.
The mix $w$ slides from pure keyword (0) to pure vector (1) search.

### Measuring retrieval
Given questions with known relevant passages: **recall@k** (share of relevant passages in the
top $k$), **MRR** (1 / rank of the first relevant one), **MAP** (precision averaged at each
relevant hit) and **nDCG@10** (graded relevance, discounted by $\log_2$ of the rank). The lab
scores each retriever on a small labelled question set about this course.
`,
  labs: ['vector-search'],
  quiz: [
    {
      question: 'Why does a k-d tree give little or no speed-up over a flat scan for 384-dimensional embeddings?',
      choices: ['In high dimensions distances concentrate, so almost no branch can be pruned', 'WebAssembly is slower than JavaScript', 'k-d trees only work with integers', 'The tree must be rebuilt for every query'],
      answer: 0,
      explanation: 'Pruning needs some branches to be clearly farther than the current best; with hundreds of dimensions nearly all points are about equally far, so the tree visits almost everything.',
    },
    {
      question: 'A user searches for the error code "E1234". Which retriever is most likely to find the passage that mentions it?',
      choices: ['BM25 (or hybrid)', 'A dense embedding model alone', 'A k-d tree', 'None: codes cannot be searched'],
      answer: 0,
      explanation: 'Exact rare tokens are BM25’s strength; embeddings tend to blur them. Hybrid search keeps both strengths.',
    },
    {
      question: 'Relevant passages for a query sit at ranks 2 and 5 (and there are only two). What is the MRR for this query?',
      choices: ['0.5', '0.2', '0.7', '1.0'],
      answer: 0,
      explanation: 'MRR uses only the first relevant result: 1 / 2 = 0.5.',
    },
  ],
  resources: [
    { title: 'MLabonne LLM course — RAG: vector storage and retrieval', url: 'https://github.com/mlabonne/llm-course' },
    { title: 'BEIR: a heterogeneous benchmark for retrieval (Thakur et al., 2021)', url: 'https://arxiv.org/abs/2104.08663' },
    { title: 'Reciprocal Rank Fusion (Cormack, Clarke & Büttcher, 2009)', url: 'https://plg.uwaterloo.ca/~gvcormac/cormacksigir09-rrf.pdf' },
    { title: 'voy: a WebAssembly k-d tree', url: 'https://github.com/tantaraio/voy' },
  ],
});

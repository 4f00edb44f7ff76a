import { defineLessonPart } from '../../types';

export default defineLessonPart({
  topic: '1.4',
  order: 20,
  title: 'Ingestion: loading and chunking documents',
  body: String.raw`
**Ingestion** turns files into searchable pieces: *load* (extract plain text), *split* into
chunks, *embed* each chunk, *store* text, vectors and where each chunk came from.

### Loading
Plain text and Markdown are read as UTF-8. HTML is reduced to its readable text: scripts,
styles and other non-text elements are dropped with their content (never executed). PDFs are
parsed by pdf.js in a background worker, and each chunk remembers its **page number**, so a
citation can say "p. 3". Bad files are refused with a reason — empty, binary, not UTF-8,
password-protected or damaged PDF, too large — and never leave a half-stored document behind:
each document is written in **one IndexedDB transaction**. Adding the same bytes twice is
detected by their SHA-256 hash.

### Chunking
Embedding a whole book as one vector blurs every topic into one point; embedding single words
loses the context. Chunks of a few hundred tokens are the usual compromise, and the splitter
decides *where* to cut:

| splitter | cuts | good for |
|---|---|---|
| fixed size + overlap | every $n$ characters | baselines; cuts words and sentences in half |
| recursive | at paragraphs, then lines, sentences, words | general text (LangChain's default) |
| token-based | at word boundaries, counting **tokens** | respecting a model's token limit exactly |
| Markdown headings | never across a heading; keeps the heading path | docs, wikis, this course |
| sentence-aware | whole sentences only | prose, Q&A, extractive answers |

**Overlap** repeats the end of one chunk at the start of the next, so a fact that straddles a
boundary is still whole in one chunk — at the cost of more chunks to embed and store. Use the
live preview to watch the boundaries move as you change size and overlap.
`,
  labs: ['ingestion'],
  quiz: [
    {
      question: 'A fact is split across two chunks and retrieval never finds it whole. The cheapest fix to try first is…',
      choices: ['Add overlap between chunks (or use a sentence-aware splitter)', 'Switch to a bigger generation model', 'Store vectors as JSON', 'Use a k-d tree index'],
      answer: 0,
      explanation: 'Overlap or splitting on sentence/paragraph boundaries keeps facts inside one chunk; the model and the index never see what retrieval did not return.',
    },
    {
      question: 'Ingestion of a PDF fails halfway because the disk quota is exceeded. What should the collection contain afterwards?',
      choices: ['Nothing of that PDF: the document, its chunks and vectors are written in one transaction', 'The chunks stored before the error', 'The document row without chunks', 'A corrupt vector'],
      answer: 0,
      explanation: 'A single transaction either commits everything or nothing, so searches never see a half-ingested document.',
    },
  ],
  resources: [
    { title: 'MLabonne LLM course — RAG: ingestion and chunking', url: 'https://github.com/mlabonne/llm-course' },
    { title: 'LangChain text splitters', url: 'https://js.langchain.com/docs/concepts/text_splitters/' },
    { title: 'pdf.js', url: 'https://mozilla.github.io/pdf.js/' },
  ],
});

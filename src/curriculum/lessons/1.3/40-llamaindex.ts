import { defineLessonPart } from '../../types';

const md = (s: string): string => s.replaceAll('§', '`');

export default defineLessonPart({
  topic: '1.3',
  order: 40,
  title: 'LlamaIndex: the same ideas, organised around your data',
  body: md(String.raw`
The plan names **LlamaIndex** next to LangChain. Where LangChain starts from composable Runnables,
LlamaIndex starts from *indexes over your documents* and builds query and chat engines on top. Its
TypeScript version has no browser build, so this page does not load it; every concept below has a
counterpart you have now built and run:

| LlamaIndex (Python / TS) | what it is | what you built in this course |
|---|---|---|
| §Settings.llm§, §Settings.embedModel§ | the global model and embedder every component uses | the model picker and §EngineChatModel§ (1.3.a); the embedders of lesson 1.4 and §EmbedderEmbeddings§ |
| §VectorStoreIndex.fromDocuments(docs)§ | load → chunk → embed → store | the ingestion lab (1.4): splitters, embeddings in IndexedDB; §RagVectorStore§ as a LangChain vector store |
| §index.asRetriever({ similarityTopK })§ | top-k search | the vector-search lab (dense, BM25, hybrid) and §RagRetriever§, used by the router's retrieval route (1.3.c) |
| §index.asQueryEngine()§ | retrieve → fill a prompt → answer (one shot) | the RAG pipeline lab (1.4): template, citations, answer with and without retrieval |
| §index.asChatEngine()§ / §ContextChatEngine§ | a query engine with conversation memory | the memory lab (1.3.b): §RunnableWithMessageHistory§, buffer / trimming / summary memory |
| §RouterQueryEngine§ + §LLMSingleSelector§ | pick one of several engines per query, by an LLM | the router lab (1.3.c): keyword, semantic and constrained-LLM routers, measured |
| §PydanticOutputParser§ / structured §llm.structuredPredict§ | typed output | the output parsers of 1.3.a and the structured-output lab (1.2) |

Choosing between them at work is mostly about habit and ecosystem: LlamaIndex gets a RAG prototype over
a folder of PDFs running in a few lines; LangChain (and LangGraph for agents, lesson 3.x) gives finer
control over each step. Both sit on the same three calls you have made by hand: embed, retrieve, generate.
`),
  quiz: [
    {
      question: 'Which LlamaIndex component corresponds to the router lab’s LLM classifier choosing among destinations?',
      choices: ['RouterQueryEngine with an LLM selector', 'VectorStoreIndex', 'Settings.embedModel', 'SimpleDirectoryReader'],
      answer: 0,
      explanation: 'RouterQueryEngine asks a selector (often an LLM) which query engine should handle each query — the same decision the lab’s routers make.',
    },
  ],
  resources: [
    { title: 'LlamaIndex — starter tutorial (VectorStoreIndex, query engine)', url: 'https://docs.llamaindex.ai/en/stable/getting_started/starter_example/' },
    { title: 'LlamaIndex — router query engine', url: 'https://docs.llamaindex.ai/en/stable/module_guides/querying/router/' },
    { title: 'LlamaIndex — chat engines', url: 'https://docs.llamaindex.ai/en/stable/module_guides/deploying/chat_engines/' },
  ],
});

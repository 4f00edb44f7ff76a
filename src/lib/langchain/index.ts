/**
 * LangChain.js over the lab's own pieces (import dynamically; @langchain/core stays out of the
 * main chunk): a chat model over any `ChatEngine`, `Embeddings` over our embedders, our vector
 * store and retrievers (src/lib/rag/langchain.ts), and a run-tree callback handler.
 */
export { EngineChatModel, toEngineMessages, type EngineChatModelFields, type EngineChatCallOptions, type EngineProvider } from './chat-model';
export { RunTreeHandler, showValue, type RunNode, type RunKind } from './run-tree';
export { EmbedderEmbeddings, RagVectorStore, RagRetriever } from '../rag/langchain';

/**
 * LangChain's OpenAI chat model, for the serving lab's "ChatOpenAI against this endpoint" panel.
 * Import it only dynamically (`await import('…/langchain-openai')`): @langchain/openai and the
 * openai SDK under it (~0.5 MB) then load on first use, in a chunk named after this file.
 */
export { ChatOpenAI } from '@langchain/openai';

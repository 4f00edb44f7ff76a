/** The shipped TinyLM chat model as an engine in Node (files read from public/models/, like the worker fetches them). */
import { existsSync, readFileSync } from 'node:fs';
import { createTinyLMEngine, type TinyLMEngine } from '../../src/lib/engine/tinylm-engine';
import { tinyLMCatalog } from '../../src/lib/engine/tinylm-models';

const root = new URL('../../public/models/', import.meta.url);

/** Whether the shipped chat checkpoint is present (it is committed; tests skip visibly otherwise). */
export const haveChat = ['config.json', 'model.safetensors', 'tokenizer.json'].every((f) => existsSync(new URL(`tinylm-chat/${f}`, root)));

const diskFetch = (async (input: string | URL | Request) => {
  const url = new URL(String(input));
  if (!existsSync(url)) return new Response('not found', { status: 404 });
  return new Response(readFileSync(url));
}) as typeof fetch;

/** A TinyLM engine serving the shipped chat model. */
export function shippedChatEngine(): TinyLMEngine {
  const { models, loader } = tinyLMCatalog(root.href, { fetchFn: diskFetch });
  return createTinyLMEngine({ models, loader, defaultModel: 'tinylm-chat' });
}

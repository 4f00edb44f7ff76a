/**
 * A tiny scripted ChatEngine for unit tests: replies come from a function of the request, and
 * every request is recorded. Streams split the reply into words, one chunk each.
 */
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatEngine } from '../../../src/lib/engine/types';
import { EngineError } from '../../../src/lib/engine/errors';

export type Reply = string | Error | ((req: ChatCompletionRequest, callIndex: number) => string | Error);

export function scriptedEngine(reply: Reply | Reply[]): ChatEngine & { requests: ChatCompletionRequest[] } {
  const requests: ChatCompletionRequest[] = [];
  const pick = (req: ChatCompletionRequest, i: number): string => {
    const r = Array.isArray(reply) ? reply[Math.min(i, reply.length - 1)] : reply;
    const out = typeof r === 'function' ? r(req, i) : r;
    if (out instanceof Error) throw out;
    return out;
  };
  const create = async (req: ChatCompletionRequest): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> => {
    const i = requests.length;
    requests.push(req);
    if (req.signal?.aborted) throw new EngineError('aborted', 'aborted');
    const text = pick(req, i);
    if (!req.stream) {
      return {
        id: `c${i}`,
        object: 'chat.completion',
        created: 0,
        model: 'scripted',
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: text.split(' ').length, total_tokens: 10 + text.split(' ').length },
      };
    }
    const words = text.split(/(?<= )/);
    return (async function* () {
      for (const w of words) {
        yield { id: `c${i}`, object: 'chat.completion.chunk', created: 0, model: 'scripted', choices: [{ index: 0, delta: { content: w }, finish_reason: null }] } as ChatCompletionChunk;
      }
      yield {
        id: `c${i}`,
        object: 'chat.completion.chunk',
        created: 0,
        model: 'scripted',
        choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: words.length, total_tokens: 10 + words.length },
      } as ChatCompletionChunk;
    })();
  };
  return {
    kind: 'test-double',
    requests,
    chat: { completions: { create: create as ChatEngine['chat']['completions']['create'] } },
    embeddings: { create: async () => { throw new Error('no embeddings'); } },
    interrupt: async () => {},
    unload: async () => {},
  };
}

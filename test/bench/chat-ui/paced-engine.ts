/**
 * A ChatEngine that streams exactly `tokensPerSecond` tokens per second, however coarse the
 * browser's timers are: on each tick it emits every token that is due by the clock (so at
 * 1,000 tokens/s with 4 ms timers it emits ~4 chunks per tick, like a fast real backend).
 * Tokens are short words with occasional Markdown and newlines; logprobs when asked.
 */
import type { ChatCompletionChunk, ChatCompletionRequest, ChatEngine, TokenLogprob } from '../../../src/lib/engine/types';

const WORDS = ['the', 'model', ' streams', ' tokens', ',', ' quickly', '.', '\n\n', ' **bold**', ' `code`', ' and', ' more'];

export function pacedEngine(tokensPerSecond: number, total: number): ChatEngine {
  let stop = false;
  async function* stream(req: ChatCompletionRequest): AsyncGenerator<ChatCompletionChunk> {
    const t0 = performance.now();
    let emitted = 0;
    stop = false;
    while (emitted < total && !stop && !req.signal?.aborted) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * tokensPerSecond) / 1000));
      while (emitted < due) {
        const token = WORDS[emitted % WORDS.length] + (emitted % 7 === 0 ? ' ' : '');
        const lp: TokenLogprob | undefined = req.logprobs
          ? { token, logprob: -((emitted * 37) % 100) / 40, top_logprobs: [{ token, logprob: -((emitted * 37) % 100) / 40 }, { token: ' x', logprob: -3 }] }
          : undefined;
        yield {
          id: 'b',
          object: 'chat.completion.chunk',
          created: 0,
          model: 'paced',
          choices: [{ index: 0, delta: { content: token }, finish_reason: null, logprobs: lp ? { content: [lp] } : null }],
        };
        emitted++;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    const s = (performance.now() - t0) / 1000;
    yield {
      id: 'b',
      object: 'chat.completion.chunk',
      created: 0,
      model: 'paced',
      choices: [{ index: 0, delta: {}, finish_reason: stop ? 'abort' : 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: emitted, total_tokens: emitted + 5, extra: { decode_tokens_per_s: emitted / s, e2e_latency_s: s } },
    };
  }
  return {
    kind: 'test-double',
    chat: { completions: { create: (async (req: ChatCompletionRequest) => stream(req)) as unknown as ChatEngine['chat']['completions']['create'] } },
    embeddings: { create: async () => { throw new Error('none'); } },
    interrupt: async () => {
      stop = true;
    },
    unload: async () => {},
  };
}

/**
 * The page's client of the tokenization lab's worker (`workers/tokenizer.worker.ts`), through
 * the one worker client (src/lib/rpc). `onStart` gives a fresh worker (after a cancelled
 * training or a crash) back the tokenizers the previous one held.
 */
import { createWorkerClient, type CallFn, type WorkerClient } from '../rpc/client';
import { createTokenizerLabApi, type TokenizerLabApi } from './lab-api';

export type TokenizerClient = WorkerClient<TokenizerLabApi>;

/** A lazily started tokenizer worker client. */
export function createTokenizerClient(onStart?: (call: CallFn<TokenizerLabApi>) => Promise<void>): TokenizerClient {
  return createWorkerClient<TokenizerLabApi>({
    label: 'tokenizer',
    start: (name) => new Worker(new URL('../../../workers/tokenizer.worker.ts', import.meta.url), { type: 'module', name }),
    inPage: createTokenizerLabApi,
    onStart,
  });
}

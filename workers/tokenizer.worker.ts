/** The tokenization lab's worker (thin: exposes src/lib/tokenizer/lab-api through comlink). */
import { expose, transfer } from 'comlink';
import { createTokenizerLabApi, type TokenizerLabApi } from '../src/lib/tokenizer/lab-api';

const api = createTokenizerLabApi();
const withTransfer: TokenizerLabApi = {
  tokenize: async (text, kinds) => {
    const out = await api.tokenize(text, kinds);
    const buffers = out.flatMap((r) => ('ids' in r ? [r.ids.buffer, r.offsets.buffer, r.bytes.buffer] : []));
    return transfer(out, buffers as ArrayBuffer[]);
  },
  train: (corpus, vocabSize, specials, onUpdate) => api.train(corpus, vocabSize, specials, onUpdate),
  load: (kind, json) => api.load(kind, json),
};
expose(withTransfer);

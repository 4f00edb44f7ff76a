/** The NN playground's trainer, off the main thread (thin: exposes src/lib/nn-playground). */
import { expose, transfer } from 'comlink';
import { createPlaygroundApi, type PlaygroundApi } from '../src/lib/nn-playground/api';

const api = createPlaygroundApi();
const withTransfer: PlaygroundApi = {
  reset: async (...a) => {
    const r = await api.reset(...a);
    return transfer(r, [r.grid.buffer]);
  },
  train: async (...a) => {
    const r = await api.train(...a);
    return transfer(r, [r.grid.buffer]);
  },
  inspect: (...a) => api.inspect(...a),
  points: (...a) => api.points(...a),
};
expose(withTransfer);

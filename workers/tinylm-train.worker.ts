/** TinyLM training worker (thin: exposes src/lib/tinylm/train-service through comlink). */
import { expose, transfer } from 'comlink';
import { createTrainService, type TinyLMTrainApi } from '../src/lib/tinylm/train-service';

const api = createTrainService();
const exposed: TinyLMTrainApi = {
  async train(req, onProgress) {
    const reply = await api.train(req, onProgress);
    // Hand the trained weights over without copying them.
    return reply.ok ? transfer(reply, Object.values(reply.weights).map((t) => t.data.buffer as ArrayBuffer)) : reply;
  },
  pause: () => api.pause(),
  resume: () => api.resume(),
  cancel: () => api.cancel(),
  snapshot: () => api.snapshot(),
};
expose(exposed);

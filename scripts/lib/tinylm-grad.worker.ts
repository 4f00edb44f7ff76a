/**
 * A data-parallel gradient worker for `npm run train:tinylm`: holds a replica of the model and
 * answers each message (current weights + a slice of the batch) with `sliceGradient`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TinyLM } from '../../src/lib/tinylm/model';
import { sliceGradient, type Batch } from '../../src/lib/tinylm/train';
import type { TinyLMConfig } from '../../src/lib/tinylm/contract';

const model = TinyLM.init(workerData.config as TinyLMConfig, 1); // weights arrive with every message
parentPort!.on('message', (msg: { weights: Float32Array[]; batch: Batch }) => {
  const r = sliceGradient(model, msg.weights, msg.batch);
  parentPort!.postMessage(r, r.grads.map((g) => g.buffer as ArrayBuffer));
});

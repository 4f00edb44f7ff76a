/** `GradShard`s backed by Node worker threads (data-parallel training in `npm run train:tinylm`). */
import { Worker } from 'node:worker_threads';
import type { TinyLMConfig } from '../../src/lib/tinylm/contract';
import type { Batch, GradShard } from '../../src/lib/tinylm/train';

type Reply = { loss: number; count: number; grads: Float32Array[] };

export class NodeGradShard implements GradShard {
  private readonly worker: Worker;
  private pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;

  constructor(config: TinyLMConfig) {
    this.worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), {
      workerData: { entry: new URL('./tinylm-grad.worker.ts', import.meta.url).href, config },
    });
    this.worker.on('message', (r: Reply) => {
      const p = this.pending;
      this.pending = null;
      p?.resolve(r);
    });
    const fail = (e: Error) => {
      const p = this.pending;
      this.pending = null;
      p?.reject(e);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => code !== 0 && fail(new Error(`gradient worker exited with code ${code}`)));
  }

  grad(weights: Float32Array[], batch: Batch): Promise<Reply> {
    if (this.pending) return Promise.reject(new Error('gradient worker is busy'));
    return new Promise<Reply>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage({ weights, batch }); // structured clone: copies the weights now
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** `n` shards (n = threads − 1: the calling thread computes a slice too). */
export function nodeShards(config: TinyLMConfig, n: number): NodeGradShard[] {
  return Array.from({ length: Math.max(0, n) }, () => new NodeGradShard(config));
}

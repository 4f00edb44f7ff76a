/**
 * The NN playground's worker API, declared once for both sides. Every reply carries the
 * generation it was computed for, so the page drops replies from a network it has replaced.
 */
import { transfer } from '../rpc/protocol';
import { PlaygroundSession, type NodeTrace, type PlaygroundConfig, type Snapshot } from './session';

export interface PlaygroundReply extends Snapshot {
  gen: number;
  /** mean batch loss over the steps just run (NaN when none) */
  batchLoss: number;
}

export interface PlaygroundApi {
  /** Builds a fresh network and dataset; `gen` identifies it in every later reply. */
  reset(cfg: PlaygroundConfig, gen: number, gridSize: number): Promise<PlaygroundReply>;
  /** Trains `steps` mini-batch steps and returns the new state (throws if `gen` is stale). */
  train(steps: number, gen: number, gridSize: number): Promise<PlaygroundReply>;
  /** One example forward + backward through the current network. */
  inspect(point: [number, number], label: number, gen: number): Promise<NodeTrace>;
  /** The training points (x [n,2], y [n]) and test points of the current dataset. */
  points(gen: number): Promise<{ train: { x: Float32Array; y: Int32Array }; test: { x: Float32Array; y: Int32Array } }>;
}

/** The implementation both the worker and the in-page fallback use (grids are transferred, not copied). */
export function createPlaygroundApi(): PlaygroundApi {
  let session: PlaygroundSession | null = null;
  let current = -1;
  const need = (gen: number): PlaygroundSession => {
    if (!session || gen !== current) throw new Error(`stale request (network ${gen}, current ${current})`);
    return session;
  };
  return {
    async reset(cfg, gen, gridSize) {
      session = new PlaygroundSession(cfg);
      current = gen;
      const r = { ...session.snapshot(gridSize), gen, batchLoss: NaN };
      return transfer(r, [r.grid.buffer as ArrayBuffer]);
    },
    async train(steps, gen, gridSize) {
      const s = need(gen);
      const batchLoss = s.run(steps);
      const r = { ...s.snapshot(gridSize), gen, batchLoss };
      return transfer(r, [r.grid.buffer as ArrayBuffer]);
    },
    async inspect(point, label, gen) {
      return need(gen).inspect(point, label);
    },
    async points(gen) {
      const s = need(gen);
      return { train: { x: s.train.x, y: s.train.y }, test: { x: s.test.x, y: s.test.y } };
    },
  };
}

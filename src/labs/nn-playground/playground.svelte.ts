/** Page-side state of the NN playground: owns the worker, the training loop and what is on screen. */
import type { NodeTrace, PlaygroundConfig } from '../../lib/nn-playground/session';
import type { PlaygroundReply } from '../../lib/nn-playground/api';
import { createPlaygroundClient } from '../../lib/nn-playground/client';

export const GRID = 40;
/** SGD steps per worker round trip while playing (keeps the page at ~30 updates/s). */
const STEPS_PER_TICK = 5;

interface Pt { x: number; y: number; label: number; test?: boolean }

export class Playground {
  snapshot = $state<PlaygroundReply | null>(null);
  history = $state<Array<{ step: number; train: number; test: number }>>([]);
  points = $state<Pt[]>([]);
  trainCount = $state(0);
  selected = $state(0);
  trace = $state<NodeTrace | null>(null);
  playing = $state(false);
  /** The last failure (shown through ErrorNotice), or null. */
  error = $state<unknown>(null);
  inWorker = $state(true);

  #client = createPlaygroundClient();
  #gen = 0;

  /** Builds a new network and dataset; stops any training of the previous one. */
  async reset(cfg: PlaygroundConfig): Promise<void> {
    this.playing = false;
    const gen = ++this.#gen;
    this.error = null;
    try {
      const r = await this.#client.call('reset', [cfg, gen, GRID]);
      this.inWorker = !this.#client.inPage;
      if (gen !== this.#gen) return;
      const pts = await this.#client.call('points', [gen]);
      if (gen !== this.#gen) return;
      const mk = (d: { x: Float32Array; y: Int32Array }, test: boolean) =>
        Array.from(d.y, (label, i) => ({ x: d.x[2 * i]!, y: d.x[2 * i + 1]!, label, test }));
      this.points = [...mk(pts.train, false), ...mk(pts.test, true)];
      this.trainCount = pts.train.y.length;
      this.snapshot = r;
      this.history = [{ step: 0, train: r.trainLoss, test: r.testLoss }];
      this.selected = 0;
      await this.inspect();
    } catch (e) {
      if (gen === this.#gen) this.error = e;
    }
  }

  /** Trains `steps` steps once (the Step button, and each tick of Play). */
  async train(steps: number): Promise<void> {
    const gen = this.#gen;
    try {
      const r = await this.#client.call('train', [steps, gen, GRID]);
      if (gen !== this.#gen) return; // a reset happened meanwhile: drop
      this.snapshot = r;
      this.history = [...this.history.slice(-400), { step: r.step, train: r.trainLoss, test: r.testLoss }];
      await this.inspect();
    } catch (e) {
      if (gen === this.#gen) {
        this.error = e;
        this.playing = false;
      }
    }
  }

  async play(): Promise<void> {
    if (this.playing) return;
    this.playing = true;
    while (this.playing) {
      await this.train(STEPS_PER_TICK);
      await new Promise((r) => setTimeout(r, 0));
    }
  }

  pause(): void {
    this.playing = false;
  }

  async select(i: number): Promise<void> {
    this.selected = i;
    await this.inspect();
  }

  async inspect(): Promise<void> {
    const p = this.points[this.selected];
    if (!p) return;
    const gen = this.#gen;
    const t = await this.#client.call('inspect', [[p.x, p.y], p.label, gen]).catch(() => null);
    if (gen === this.#gen && t) this.trace = t;
  }

  dispose(): void {
    this.playing = false;
    this.#gen++;
    this.#client.dispose();
  }
}

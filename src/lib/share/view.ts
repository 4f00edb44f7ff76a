/**
 * Opening a shared link never overwrites the learner's own saved lab states: the shared states
 * are shown but not saved ("viewing a shared state") until the learner keeps them; "restore
 * mine" brings back what was saved. This is the bookkeeping of that, framework-free.
 */
import type { LabStates } from './codec';

type State = Record<string, unknown>;

export class SharedView {
  /** lab id → the learner's own state to restore (undefined: they had none, restore the defaults) */
  #own = new Map<string, State | undefined>();
  /** the `s=` value last applied, so the same link is applied once, a new one again */
  applied: string | null = null;

  /** Labs now showing a shared state (not saved). */
  get labIds(): string[] {
    return [...this.#own.keys()];
  }

  /** True while `labId` shows a shared state: the host must not save it. */
  has(labId: string): boolean {
    return this.#own.has(labId);
  }

  /**
   * Records that `shared` replaces the shown states; `current(id)` is the learner's own state of
   * a lab not already showing a shared one (a lab already shared keeps its first own state).
   */
  enter(shared: LabStates, current: (labId: string) => State | undefined): void {
    for (const id of Object.keys(shared)) if (!this.#own.has(id)) this.#own.set(id, current(id));
  }

  /** Ends the view keeping the shared states (the host saves them now); returns the lab ids. */
  keep(): string[] {
    const ids = this.labIds;
    this.#own.clear();
    return ids;
  }

  /** Ends the view restoring the learner's own states; returns them by lab id (undefined: defaults). */
  restore(): Map<string, State | undefined> {
    const own = new Map(this.#own);
    this.#own.clear();
    return own;
  }
}

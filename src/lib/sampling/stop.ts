/**
 * Stop sequences over a text stream whose pieces come from tokens, so a stop string may be split
 * across token boundaries ("<|e" + "nd|>"). The matcher holds back any tail that could still
 * become a stop sequence, emits only text that certainly precedes one, and never emits the stop
 * text itself.
 */

export interface StopPush {
  /** Text safe to show now. */
  emit: string;
  /** True once a stop sequence was completed; the matcher ignores further input. */
  stopped: boolean;
  /** The stop sequence that matched. */
  matched?: string;
}

/** Incremental stop-sequence detector; feed it decoded text pieces in order. */
export class StopSequenceMatcher {
  private readonly stops: string[];
  private held = '';
  private done = false;

  constructor(stops: string | string[] | undefined) {
    this.stops = (typeof stops === 'string' ? [stops] : (stops ?? [])).filter((s) => s.length > 0);
  }

  /** True once a stop sequence has matched. */
  get stopped(): boolean {
    return this.done;
  }

  /** Adds a decoded piece; returns what can be emitted now. */
  push(piece: string): StopPush {
    if (this.done) return { emit: '', stopped: true };
    if (this.stops.length === 0) return { emit: piece, stopped: false };
    const text = this.held + piece;
    // Earliest complete match wins (ties: the longer stop, which starts at the same place).
    let at = -1;
    let matched: string | undefined;
    for (const s of this.stops) {
      const i = text.indexOf(s);
      if (i >= 0 && (at < 0 || i < at || (i === at && s.length > (matched?.length ?? 0)))) {
        at = i;
        matched = s;
      }
    }
    if (at >= 0) {
      this.done = true;
      this.held = '';
      return { emit: text.slice(0, at), stopped: true, matched };
    }
    // Hold back the longest suffix that is a proper prefix of some stop sequence.
    const keep = this.longestPrefixSuffix(text);
    this.held = text.slice(text.length - keep);
    return { emit: text.slice(0, text.length - keep), stopped: false };
  }

  /** Releases held-back text at the end of generation (it turned out not to be a stop). */
  flush(): string {
    const out = this.done ? '' : this.held;
    this.held = '';
    return out;
  }

  private longestPrefixSuffix(text: string): number {
    let best = 0;
    for (const s of this.stops) {
      const max = Math.min(s.length - 1, text.length);
      for (let k = max; k > best; k--) {
        if (text.endsWith(s.slice(0, k))) {
          best = k;
          break;
        }
      }
    }
    return best;
  }
}

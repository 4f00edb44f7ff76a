/** State of one async-streams run: lanes, timeline, outcome, and which patterns the learner has tried. */
import { runPattern, simulatedSource, type LaneEvent, type LaneOutcome, type Pattern, type RunResult } from './streams';

export const LANE_TEXTS = [
  'The capital of France is Paris, a city on the Seine known for art and food.',
  'Paris is the capital of France; it has been the seat of government since the Middle Ages.',
];

export interface Lane {
  name: string;
  text: string;
  start: number | null;
  end: number | null;
  outcome: LaneOutcome | null;
  tokens: number;
}

/** Expected duration of one simulated lane in ms: latency + words × ms per word. */
export function laneDuration(text: string, msPerToken: number, latencyMs: number): number {
  return latencyMs + (text.match(/\s*\S+/g)?.length ?? 0) * msPerToken;
}

/**
 * The scheduled total of a pattern: what the timers ask for, before any lateness. Sequential adds
 * the lanes, concurrent takes the slowest, a race the fastest, a deadline caps each lane.
 */
export function scheduledTotal(pattern: Pattern, durations: number[], timeoutMs: number): number {
  if (pattern === 'sequential') return durations.reduce((a, b) => a + b, 0);
  if (pattern === 'race') return Math.min(...durations);
  if (pattern === 'timeout') return Math.max(...durations.map((d) => Math.min(d, timeoutMs)));
  return Math.max(...durations);
}

/** Number of timer waits a lane makes: one for the latency, one per word. */
export function laneTimers(text: string): number {
  return 1 + (text.match(/\s*\S+/g)?.length ?? 0);
}

export class AsyncRun {
  lanes = $state<Lane[]>([]);
  running = $state(false);
  result = $state<RunResult | null>(null);
  tried = $state<Pattern[]>([]);
  #controller: AbortController | null = null;

  /** Starts a run; resolves with its result (also stored in `result`). */
  async run(pattern: Pattern, fastMs: number, slowMs: number, timeoutMs: number): Promise<RunResult> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.lanes = [
      { name: `Model A (${fastMs} ms/token)`, text: '', start: null, end: null, outcome: null, tokens: 0 },
      { name: `Model B (${slowMs} ms/token, 150 ms latency)`, text: '', start: null, end: null, outcome: null, tokens: 0 },
    ];
    this.result = null;
    this.running = true;
    const sources = [simulatedSource(LANE_TEXTS[0]!, fastMs, 0), simulatedSource(LANE_TEXTS[1]!, slowMs, 150)];
    const onEvent = (e: LaneEvent) => {
      if (this.#controller !== controller) return; // a newer run owns the lanes
      const lane = this.lanes[e.lane]!;
      if (e.kind === 'start') lane.start = e.t;
      else if (e.kind === 'token') {
        lane.text += e.text ?? '';
        lane.tokens++;
      } else {
        lane.end = e.t;
        lane.outcome = e.outcome ?? 'done';
      }
    };
    const result = await runPattern(pattern, sources, { signal: controller.signal, timeoutMs, onEvent });
    if (this.#controller === controller) {
      this.result = result;
      this.running = false;
      if (!this.tried.includes(pattern)) this.tried = [...this.tried, pattern];
    }
    return result;
  }

  cancel(): void {
    this.#controller?.abort(new DOMException('cancelled by you', 'AbortError'));
  }
}

/**
 * Turns web-llm's `initProgressCallback` reports into our `LoadProgress` with bytes, and estimates
 * the time left. web-llm only reports `{progress, timeElapsed, text}`; the megabytes are in the
 * text ("Fetching param cache[3/25]: 100MB fetched. 12% completed, 5 secs elapsed. …").
 */
import type { LoadProgress } from '../types';

/** web-llm's InitProgressReport. */
export interface InitProgressReportLike {
  progress: number;
  timeElapsed: number;
  text: string;
}

export type LoadPhase = 'download' | 'load-from-cache' | 'compile' | 'other';

export interface WebLLMProgress extends LoadProgress {
  phase: LoadPhase;
  /** Shard counter from the text ("[3/25]"), when present. */
  shard?: { done: number; total: number };
}

const MB = 1024 * 1024;

/** Parses one web-llm progress report. */
export function parseInitProgress(r: InitProgressReportLike): WebLLMProgress {
  const text = r.text ?? '';
  const progress = Number.isFinite(r.progress) ? Math.min(1, Math.max(0, r.progress)) : 0;
  const out: WebLLMProgress = { progress, text, timeElapsedS: r.timeElapsed, phase: 'other' };
  const shard = /\[(\d+)\/(\d+)\]/.exec(text);
  if (shard) out.shard = { done: Number(shard[1]), total: Number(shard[2]) };
  if (/^Fetching param cache|Start to fetch params/.test(text)) out.phase = 'download';
  else if (/^Loading model from cache/.test(text)) out.phase = 'load-from-cache';
  else if (/shader|compil|Loading GPU/i.test(text)) out.phase = 'compile';
  const mb = /(\d+(?:\.\d+)?)MB (fetched|loaded)/.exec(text);
  if (mb) {
    out.loadedBytes = Number(mb[1]) * MB;
    // web-llm rounds MB up and % down; the ratio is good enough for a progress label.
    if (progress > 0) out.totalBytes = Math.round(out.loadedBytes / progress);
  }
  return out;
}

/** Seconds left at the current average rate, or null when it can't be estimated yet. */
export function estimateSecondsLeft(p: Pick<LoadProgress, 'progress' | 'timeElapsedS'>): number | null {
  const t = p.timeElapsedS;
  if (t === undefined || t <= 0 || p.progress <= 0.01 || p.progress >= 1) return p.progress >= 1 ? 0 : null;
  return Math.max(0, Math.round((t * (1 - p.progress)) / p.progress));
}

/** "45 s", "3 min 20 s", "1 h 5 min". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return 'estimating…';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

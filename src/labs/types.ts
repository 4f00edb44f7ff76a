/**
 * The contract between the lesson pages and each lab.
 *
 * A lab lives in `src/labs/<lab-id>/` and is discovered automatically: its `meta.ts` must
 * `export default defineLab({...})`. The meta module is loaded eagerly (keep it tiny: ids,
 * schema, defaults); the component is loaded on demand through `component()`.
 */
import type { Component } from 'svelte';
import type * as v from 'valibot';
import type { Capabilities } from '../lib/capabilities/detect';
import type { LabDB } from '../lib/storage/db';
import type { LabTrace } from '../lib/trace';
import type { EngineSource } from '../ui/chat/engine-access';

export type { EngineSource, EngineHandle } from '../ui/chat/engine-access';
export type { LabTrace, SpanOperation, SpanAttributes, TraceSpan } from '../lib/trace';

export type LabStatus = 'loading' | 'ready' | 'error';

export type NoticeKind = 'info' | 'success' | 'warn' | 'error';

/** The storage a lab may use: the lab's IndexedDB database (schema in src/lib/storage/db.ts). */
export interface LabStorage {
  readonly db: LabDB;
}

/** What a lab may ask of the page that hosts it. */
export interface LabContext {
  /**
   * Marks a study-plan task as done because the learner actually did it in this lab.
   * `evidence` is stored with the time (e.g. `{ vocabSize: 500, merges: 244 }`).
   */
  complete(taskId: string, evidence?: Record<string, unknown>): Promise<void>;
  /**
   * The lab's status drives `data-status` on its root element: 'ready' once its first real
   * result is on screen, 'error' with a message or error (a LabError's hint is shown as the
   * next step) the host shows.
   */
  setStatus(status: LabStatus, message?: string | Error): void;
  /** Capabilities detected once at start-up (WebGPU, shader-f16, limits, cores, memory). */
  readonly capabilities: Capabilities;
  /** Where the lab keeps documents, collections, runs (never its shareable state: the host saves that). */
  readonly storage: LabStorage;
  /**
   * The models: the current one (`get()`, `label`, `currentId`), another one without changing
   * the learner's choice (`engineFor(id)`), what each can do (`info(id).capabilities`), and
   * `select(id)` where the app's model state exists. Same object as `useEngineSource()`.
   */
  readonly engine: EngineSource;
  /** Tells the learner something next to the lab (polite live region; 'error' is assertive). */
  notify(message: string, kind?: NoticeKind): void;
  /** Opens spans (OpenTelemetry GenAI names) for the 3.4 lesson's traces; a no-op until it records. */
  readonly trace: LabTrace;
}

export interface LabProps<S> {
  /**
   * The lab's shareable state, deeply reactive ($state). Mutate its fields directly; the host
   * saves it (debounced) and puts it into share links. Keep it small and serialisable:
   * settings and short texts, never model outputs or large documents.
   */
  state: S;
  ctx: LabContext;
}

export interface LabDefinition<S extends Record<string, unknown> = Record<string, unknown>> {
  /** Stable id, kebab-case, used in URLs and storage (`tokenizer`, `sampling`). */
  id: string;
  /** Topic id from the study plan (`1.1`). A lab belongs to exactly one lesson. */
  topic: string;
  title: string;
  /** One-line description shown above the lab. */
  summary: string;
  /** Task ids this lab ticks automatically when the learner does them. */
  tasks: string[];
  /** Validates state from share links and storage: the only gate for untrusted input. */
  schema: v.GenericSchema<unknown, S>;
  /** The default state (a fresh object on each call). */
  defaults(): S;
  /** Loads the Svelte component on demand (keeps the main chunk small). */
  component(): Promise<{ default: Component<LabProps<S>> }>;
}

/** Identity helper that gives type inference for a lab's state. */
export function defineLab<S extends Record<string, unknown>>(def: LabDefinition<S>): LabDefinition<S> {
  return def;
}

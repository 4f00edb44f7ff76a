/**
 * Task progress: ticked by hand or completed by a lab with evidence, stored with the time.
 * Which task ids exist is the curriculum's business: the caller passes `isTaskId` in
 * (`progressStore(isTaskId)`), so this library never imports the curriculum.
 */
import type { LabDB, ProgressRow } from './db';
import { guardQuota } from './errors';

export type ProgressMap = Map<string, ProgressRow>;

/** The progress functions for a curriculum whose task ids `isTaskId` accepts. */
export function progressStore(isTaskId: (id: string) => boolean) {
  const assertTask = (taskId: string) => {
    if (!isTaskId(taskId)) throw new RangeError(`Unknown task id “${taskId}”.`);
  };
  return {
    /** Reads all progress rows of known tasks. */
    loadProgress: (db: LabDB) => loadProgress(db, isTaskId),
    /** Ticks or unticks a task by hand. */
    async setTaskManually(db: LabDB, taskId: string, done: boolean, now = Date.now()): Promise<ProgressRow> {
      assertTask(taskId);
      return setTaskManually(db, taskId, done, now);
    },
    /** Marks a task done because a lab saw the learner do it; keeps the evidence. */
    async completeTask(db: LabDB, taskId: string, source: string, evidence: Record<string, unknown> = {}, now = Date.now()): Promise<ProgressRow> {
      assertTask(taskId);
      return completeTask(db, taskId, source, evidence, now);
    },
  };
}

async function loadProgress(db: LabDB, isTaskId: (id: string) => boolean): Promise<ProgressMap> {
  const rows = await db.progress.toArray();
  return new Map(rows.filter((r) => isTaskId(r.taskId)).map((r) => [r.taskId, r]));
}

async function setTaskManually(db: LabDB, taskId: string, done: boolean, now: number): Promise<ProgressRow> {
  const row: ProgressRow = { taskId, done, source: 'manual', updatedAt: now };
  const prev = await db.progress.get(taskId);
  if (prev?.evidence && done) row.evidence = prev.evidence;
  await guardQuota(() => db.progress.put(row));
  return row;
}

async function completeTask(db: LabDB, taskId: string, source: string, evidence: Record<string, unknown>, now: number): Promise<ProgressRow> {
  const row: ProgressRow = { taskId, done: true, source, evidence: JSON.parse(JSON.stringify(evidence)), updatedAt: now };
  await guardQuota(() => db.progress.put(row));
  return row;
}

/** Fraction of tasks done among `taskIds`. */
export function fractionDone(progress: ProgressMap, taskIds: string[]): number {
  if (taskIds.length === 0) return 0;
  return taskIds.filter((id) => progress.get(id)?.done).length / taskIds.length;
}

/** Task progress: ticked by hand or completed by a lab with evidence, stored with the time. */
import { ALL_TASKS, isTaskId } from '../../curriculum/plan';
import type { LabDB, ProgressRow } from './db';
import { guardQuota } from './errors';

export type ProgressMap = Map<string, ProgressRow>;

/** Reads all progress rows. */
export async function loadProgress(db: LabDB): Promise<ProgressMap> {
  const rows = await db.progress.toArray();
  return new Map(rows.filter((r) => isTaskId(r.taskId)).map((r) => [r.taskId, r]));
}

/** Ticks or unticks a task by hand. */
export async function setTaskManually(db: LabDB, taskId: string, done: boolean, now = Date.now()): Promise<ProgressRow> {
  assertTask(taskId);
  const row: ProgressRow = { taskId, done, source: 'manual', updatedAt: now };
  const prev = await db.progress.get(taskId);
  if (prev?.evidence && done) row.evidence = prev.evidence;
  await guardQuota(() => db.progress.put(row));
  return row;
}

/** Marks a task done because a lab saw the learner do it; keeps the evidence. */
export async function completeTask(
  db: LabDB,
  taskId: string,
  source: string,
  evidence: Record<string, unknown> = {},
  now = Date.now(),
): Promise<ProgressRow> {
  assertTask(taskId);
  const row: ProgressRow = { taskId, done: true, source, evidence: JSON.parse(JSON.stringify(evidence)), updatedAt: now };
  await guardQuota(() => db.progress.put(row));
  return row;
}

/** Fraction of tasks done among `taskIds` (all plan tasks by default). */
export function fractionDone(progress: ProgressMap, taskIds: string[] = ALL_TASKS.map((t) => t.id)): number {
  if (taskIds.length === 0) return 0;
  return taskIds.filter((id) => progress.get(id)?.done).length / taskIds.length;
}

function assertTask(taskId: string): void {
  if (!isTaskId(taskId)) throw new RangeError(`Unknown task id “${taskId}”.`);
}

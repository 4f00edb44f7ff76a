/** Lesson content: parts discovered from `lessons/<topic>/*.ts`, loaded on demand per topic. */
import type { LessonPart } from './types';

const modules = import.meta.glob<LessonPart>('./lessons/*/*.ts', { import: 'default' });

/** Topic ids that have at least one written part. */
export const TOPICS_WITH_CONTENT = new Set(Object.keys(modules).map((k) => k.split('/')[2]));

/** Loads the parts of a topic's lesson, sorted by `order`. */
export async function loadLessonParts(topicId: string): Promise<LessonPart[]> {
  const loaders = Object.entries(modules).filter(([k]) => k.split('/')[2] === topicId);
  const parts = await Promise.all(loaders.map(([, load]) => load()));
  return parts.filter((p) => p.topic === topicId).sort((a, b) => a.order - b.order);
}

/** Loads every lesson part of every topic (for "Ask the course" and search). */
export async function loadAllLessonParts(): Promise<LessonPart[]> {
  const parts = await Promise.all(Object.values(modules).map((load) => load()));
  return parts.sort((a, b) => a.topic.localeCompare(b.topic, undefined, { numeric: true }) || a.order - b.order);
}

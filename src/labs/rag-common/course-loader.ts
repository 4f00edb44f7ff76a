/**
 * Loads every lesson part lazily (one chunk per part, fetched on first use) and builds the
 * "Ask the course" collection from them.
 */
import type { LessonPart } from '../../curriculum/types';
import { buildCourseCollection, courseDocuments, type CourseCollection } from '../../lib/rag/course';

const lessonModules = import.meta.glob<{ default: LessonPart }>('/src/curriculum/lessons/*/*.ts');

/** The course as a searchable collection (lexical embedder + BM25, in memory). */
export async function loadCourseCollection(): Promise<CourseCollection> {
  const parts = await Promise.all(Object.entries(lessonModules).map(async ([path, load]) => ({ path, part: (await load()).default })));
  return buildCourseCollection(courseDocuments(parts));
}

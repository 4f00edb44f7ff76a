/** Types of the study plan (as data) and of lesson content. */

export interface Resource {
  title: string;
  url: string;
}

export interface Task {
  /** `1.1.a` */
  id: string;
  text: string;
}

export interface Topic {
  /** `1.1` */
  id: string;
  title: string;
  phase: number;
  tasks: Task[];
  /** The plan's "Key resources" line, verbatim. */
  resourcesText: string;
  resources: Resource[];
}

export interface Phase {
  number: number;
  title: string;
  goal: string;
}

export interface QuizQuestion {
  question: string;
  choices: string[];
  /** index into choices */
  answer: number;
  /** shown after answering: why the answer is right */
  explanation: string;
}

/**
 * One part of a lesson page. Parts live in `src/curriculum/lessons/<topic>/<name>.ts`, each with
 * `export default defineLessonPart({...})`, and are discovered automatically and sorted by
 * `order`. Several contributors can add parts to the same lesson without touching each other's files.
 */
export interface LessonPart {
  topic: string;
  /** Sort key within the lesson (10, 20, 30 … leave gaps). */
  order: number;
  /** Section heading. */
  title: string;
  /** Teaching text in Markdown (KaTeX maths with $…$ / $$…$$, fenced code). Sanitized on render. */
  body: string;
  /** Lab ids rendered after the body, in order. */
  labs?: string[];
  /** Markdown rendered after the labs. */
  after?: string;
  quiz?: QuizQuestion[];
  /** Extra links beyond the plan's key resources. */
  resources?: Resource[];
}

export function defineLessonPart(part: LessonPart): LessonPart {
  return part;
}

/**
 * Tasks of the study plan that no lab ticks, with the reason: the learner ticks them by hand.
 *
 * The rule (checked by test/unit/curriculum/wiring.test.ts): once a topic has lesson text, each of
 * its tasks is either in some lab's `meta.tasks` (and that lab calls `ctx.complete(id)`), or listed
 * here. Use this for tasks that are reading or judgement ("understand the role of …") where no
 * action in the browser shows the learner did it; prefer a lab wherever the task can be done.
 */
export const MANUAL_TASKS: Readonly<Record<string, string>> = {
};

/** Test worker that throws at top level, before it serves anything. */
throw new Error('broken at load');

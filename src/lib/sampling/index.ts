/** Sampling: pure transforms, the full pipeline, a seeded RNG and stop sequences. */
export * from './transforms';
export * from './sampler';
export * from './rng';
export * from './stop';

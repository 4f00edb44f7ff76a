/**
 * The serving lab's concurrent-clients workload is lab state (saved, shared): its defaults are the
 * workload of `npm run bench inference`'s endpoint figures, so the lab at its defaults reproduces
 * what the lesson quotes; links made before the panel had state still open.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import serving, { ENDPOINT_DEFAULTS } from '../../../src/labs/serving/meta';
import { DEFAULT_ENDPOINT } from '../../../src/lib/inference/endpoint-measure';

describe('serving lab: endpoint workload state', () => {
  it('defaults to the bench workload', () => {
    expect(ENDPOINT_DEFAULTS).toEqual(DEFAULT_ENDPOINT);
    expect(serving.defaults().endpoint).toEqual(DEFAULT_ENDPOINT);
  });

  it('an older state without it parses, with the defaults; an out-of-range N does not', () => {
    const old = { requests: 5, gap: 1, maxBatch: 3, seed: 4, sharedPrefix: false };
    const parsed = v.safeParse(serving.schema, old);
    expect(parsed.success).toBe(true);
    if (parsed.success) expect(parsed.output).toMatchObject({ ...old, endpoint: DEFAULT_ENDPOINT });
    expect(v.safeParse(serving.schema, { ...old, endpoint: { kind: 'chat', n: 500, maxTokens: 48 } }).success).toBe(false);
  });
});

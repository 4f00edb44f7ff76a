/**
 * The ingestion lab's job in real Chromium, with the real RAG worker and IndexedDB: a cancel
 * during the default (lexical) path stores nothing and ends at once (issue 18: a file cancelled
 * while the worker read it was stored seconds later), and a worker that dies mid-ingestion
 * ends the job with 'worker-crashed' instead of leaving the lab busy.
 */
import { afterAll, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { openLabDB } from '../../../src/lib/storage/db';
import { createRagClient } from '../../../src/lib/rag/client';
import { createWorkerClient } from '../../../src/lib/rpc/client';
import { createRagApi, type RagApi } from '../../../src/lib/rag/worker-api';
import { RagSession } from '../../../src/labs/rag-common/session.svelte';
import { IngestionJob } from '../../../src/labs/ingestion/ingestion.svelte';

const name = `ingestion-browser-${Date.now()}`;
const db = openLabDB(name);
afterAll(async () => {
  db.close();
  await Dexie.delete(name);
});

/** A text long enough that reading, splitting and embedding it takes the worker a while. */
function bigText(bytes: number): string {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const s = `Sentence ${i} is about retrieval number ${i % 977} and embeddings ${i % 313}. `;
    parts.push(s);
    n += s.length;
  }
  return parts.join('');
}

const until = async (f: () => boolean, ms: number, what: string) => {
  const t0 = performance.now();
  while (!f()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('ingestion job', () => {
  it('Cancel while the worker reads a file stores nothing and ends at once (lexical path)', async () => {
    const session = new RagSession(db);
    const client = createRagClient();
    const job = new IngestionJob(session, client);
    const col = await job.createCollection('cancel test', 'lexical-hash-768');
    const file = new File([bigText(6_000_000)], 'big.txt', { type: 'text/plain' });
    const running = job.ingest([file], col, { kind: 'sentence', size: 400, overlap: 0 });
    await until(() => job.progress.label === 'Reading big.txt', 10_000, 'reading');
    const t0 = performance.now();
    job.cancel();
    const stored = await running;
    const endedMs = performance.now() - t0;
    expect(stored).toBe(0);
    expect(job.busy).toBe(false);
    expect(job.outcomes.at(-1)?.message).toMatch(/^Cancelled/);
    expect(endedMs).toBeLessThan(500);
    // Nothing arrives later either.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await db.documents.where('collectionId').equals(col).count()).toBe(0);
    expect(await db.chunks.where('collectionId').equals(col).count()).toBe(0);
    // The worker is still usable afterwards.
    const ok = await job.ingest([new File(['A short note about vectors. And one more sentence.'], 'note.txt', { type: 'text/plain' })], col, { kind: 'sentence', size: 400, overlap: 0 });
    expect(ok).toBe(1);
    client.dispose();
  });

  it('a RAG worker that dies mid-ingestion ends the job with worker-crashed; the next ingestion works', async () => {
    const session = new RagSession(db);
    const workers: Worker[] = [];
    const client = createWorkerClient<RagApi>({
      label: 'RAG',
      start: (n) => {
        const w = new Worker(new URL('../../../workers/rag.worker.ts', import.meta.url), { type: 'module', name: n });
        workers.push(w);
        return w;
      },
      inPage: () => createRagApi(),
    });
    const job = new IngestionJob(session, client);
    const col = await job.createCollection('crash test', 'lexical-hash-768');
    const running = job.ingest([new File([bigText(6_000_000)], 'big.txt', { type: 'text/plain' })], col, { kind: 'sentence', size: 400, overlap: 0 });
    await until(() => job.progress.label === 'Reading big.txt', 10_000, 'reading');
    workers[0].terminate(); // the browser reclaiming the worker, as far as the page can tell
    expect(await running).toBe(0);
    expect(job.busy).toBe(false);
    expect(job.outcomes.at(-1)?.message).toMatch(/RAG worker stopped/);
    expect(job.outcomes.at(-1)?.hint).toMatch(/fresh worker/);
    expect(await job.ingest([new File(['Another short note. About retrieval.'], 'n.txt')], col, { kind: 'sentence', size: 400, overlap: 0 })).toBe(1);
    expect(workers).toHaveLength(2);
    client.dispose();
  });

  it('keeps the page responsive while ingesting a big file and many small ones (no main-thread task over 200 ms)', async () => {
    const session = new RagSession(db);
    const client = createRagClient();
    const job = new IngestionJob(session, client);
    const col = await job.createCollection('responsive', 'lexical-hash-768');
    const big = [new File([bigText(8_000_000)], 'big.txt', { type: 'text/plain' })];
    const many = Array.from({ length: 1000 }, (_, i) => new File([`Note ${i}. ${bigText(200 + (i % 40))}`], `n${i}.txt`, { type: 'text/plain' }));
    await new Promise((r) => setTimeout(r, 50)); // the task that built the files ends before we watch
    const long: number[] = [];
    // Only this frame's tasks: other test files run in sibling frames on the same thread.
    const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => e.name === 'self' && long.push(Math.round(e.duration))));
    obs.observe({ type: 'longtask' });
    const progress: number[] = [];
    const watch = setInterval(() => progress.push(job.progress.done), 20);
    try {
      expect(await job.ingest(big, col, { kind: 'recursive', size: 400, overlap: 60 })).toBe(1);
      expect(await job.ingest(many, col, { kind: 'recursive', size: 400, overlap: 60 })).toBe(1000);
    } finally {
      obs.disconnect();
      clearInterval(watch);
    }
    expect(long.filter((ms) => ms > 200)).toEqual([]);
    expect(new Set(progress).size).toBeGreaterThan(3); // progress moved while it ran
    // The preview shows the beginning of the big document, not all of it.
    expect(job.previewText.length).toBeLessThanOrEqual(100_000);
    expect(await db.documents.where('collectionId').equals(col).count()).toBe(1001);
    client.dispose();
  });
});

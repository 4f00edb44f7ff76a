// Starts a TypeScript module in a Node worker thread: registers tsx, then imports
// `workerData.entry` (worker_threads does not inherit tsx's loader from the parent).
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);

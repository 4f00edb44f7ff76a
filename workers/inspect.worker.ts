/** TinyLM inspection off the main thread (thin: exposes src/lib/inspect over comlink). */
import { expose } from 'comlink';
import { createInspectApi } from '../src/lib/inspect/api';
import { loadTinyLM } from '../src/lib/tinylm/checkpoint';

expose(createInspectApi((baseUrl) => loadTinyLM(baseUrl)));

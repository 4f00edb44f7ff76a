/** DPO worker (thin: exposes src/lib/align/service through comlink). */
import { expose } from 'comlink';
import { createAlignService } from '../src/lib/align/service';
import { loadTinyLM } from '../src/lib/tinylm/checkpoint';

expose(createAlignService((url) => loadTinyLM(url)));

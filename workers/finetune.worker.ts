/** Fine-tuning worker (thin: exposes src/lib/finetune/service through comlink). */
import { expose } from 'comlink';
import { createFinetuneService } from '../src/lib/finetune/service';
import { loadTinyLM } from '../src/lib/tinylm/checkpoint';

expose(createFinetuneService((url) => loadTinyLM(url)));

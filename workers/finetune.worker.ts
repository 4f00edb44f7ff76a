/** Fine-tuning worker (thin: serves src/lib/finetune/service through src/lib/rpc). */
import { createFinetuneService } from '../src/lib/finetune/service';
import { serve } from '../src/lib/rpc/serve';
import { loadTinyLM } from '../src/lib/tinylm/checkpoint';

serve(createFinetuneService((url) => loadTinyLM(url)));

/** DPO worker (thin: serves src/lib/align/service through src/lib/rpc). */
import { createAlignService } from '../src/lib/align/service';
import { serve } from '../src/lib/rpc/serve';
import { loadTinyLM } from '../src/lib/tinylm/checkpoint';

serve(createAlignService((url) => loadTinyLM(url)));

/** TinyLM inspection off the main thread (thin: serves src/lib/inspect/api through src/lib/rpc). */
import { createInspectApi } from '../src/lib/inspect/api';
import { serve } from '../src/lib/rpc/serve';
import { loadTinyLM } from '../src/lib/tinylm/checkpoint';

serve(createInspectApi((baseUrl) => loadTinyLM(baseUrl)));

/** TinyLM training worker (thin: serves src/lib/tinylm/train-service through src/lib/rpc). */
import { serve } from '../src/lib/rpc/serve';
import { createTrainService } from '../src/lib/tinylm/train-service';

serve(createTrainService());

/** The NN playground's trainer, off the main thread (thin: serves src/lib/nn-playground/api through src/lib/rpc). */
import { createPlaygroundApi } from '../src/lib/nn-playground/api';
import { serve } from '../src/lib/rpc/serve';

serve(createPlaygroundApi());

/** The tokenization lab's worker (thin: serves src/lib/tokenizer/lab-api through src/lib/rpc). */
import { createTokenizerLabApi } from '../src/lib/tokenizer/lab-api';
import { serve } from '../src/lib/rpc/serve';

serve(createTokenizerLabApi());

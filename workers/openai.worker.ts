/** The app's OpenAI-compatible server off the main thread (thin: serves src/lib/inference/openai-worker-api through src/lib/rpc). */
import { createOpenAIWorkerApi } from '../src/lib/inference/openai-worker-api';
import { serve } from '../src/lib/rpc/serve';

serve(createOpenAIWorkerApi());

/** The RAG worker (thin: serves src/lib/rag/worker-api through src/lib/rpc). */
import { createRagApi } from '../src/lib/rag/worker-api';
import { pdfjsLoader } from '../src/lib/rag/pdf-browser';
import { voyWasmBytes } from '../src/lib/rag/voy-browser';
import { serve } from '../src/lib/rpc/serve';

serve(createRagApi({ loadPdfjs: pdfjsLoader(), voyWasm: voyWasmBytes }));

/**
 * The one loader of web-llm's model catalogue (records, tool-capable ids, web-llm version).
 * The data is imported dynamically and built once, so it stays out of the main chunk and every
 * caller (model state, picker, Models page, cache manager) sees the same entries.
 */
import type { CatalogueEntry } from '../../lib/engine/webllm/catalogue';
import type { ModelInfo } from '../../lib/engine/types';

export interface WebLLMCatalogue {
  /** Every prebuilt model with its size, memory, context and capabilities. */
  entries: CatalogueEntry[];
  /** The same entries as ModelInfo (for labels and capabilities). */
  info: ModelInfo[];
  /** The web-llm version the records come from. */
  version: string;
}

let loading: Promise<WebLLMCatalogue> | null = null;

/** The web-llm catalogue (loaded on first call, then shared). */
export function loadWebLLMCatalogue(): Promise<WebLLMCatalogue> {
  loading ??= Promise.all([import('../../lib/engine/webllm/catalogue'), import('../../lib/engine/webllm/catalogue-data')]).then(([cat, data]) => {
    const entries = cat.buildCatalogue(data.WEBLLM_MODEL_RECORDS, data.WEBLLM_TOOL_MODEL_IDS);
    return { entries, info: entries.map(cat.toModelInfo), version: data.WEBLLM_VERSION };
  });
  return loading;
}

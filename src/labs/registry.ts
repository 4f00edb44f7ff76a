/**
 * All labs, discovered from `src/labs/<id>/meta.ts`. Meta modules are tiny (ids, schema,
 * defaults); components load on demand.
 */
import type * as v from 'valibot';
import type { LabDefinition } from './types';

const metas = import.meta.glob<LabDefinition>('./*/meta.ts', { eager: true, import: 'default' });

export const LABS: LabDefinition[] = Object.values(metas);

/** Looks a lab up by id. */
export function getLab(id: string): LabDefinition | undefined {
  return LABS.find((l) => l.id === id);
}

/** State schemas keyed by lab id, for decoding share links. */
export function labSchemas(ids?: string[]): Record<string, v.GenericSchema> {
  const out: Record<string, v.GenericSchema> = {};
  for (const l of LABS) if (!ids || ids.includes(l.id)) out[l.id] = l.schema as v.GenericSchema;
  return out;
}

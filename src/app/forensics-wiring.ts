import type { Context, Hono } from 'hono';
import { createEventRoutes } from '../api/index.js';
import type { AisocConfig } from '../config/index.js';
import type { EventFilter } from '../forensics/index.js';
import type { Responder } from '../respond/index.js';
import type { Store } from '../store/index.js';

export interface ForensicsWiringDeps {
  config: Readonly<AisocConfig>;
  store: Store;
  responder: Responder;
}

/** An incident's events: its models and principals (all when none) from first to last seen. */
export async function incidentScope(responder: Responder, id: string): Promise<EventFilter> {
  const incident = await responder.incidents.get(id);
  return {
    models: incident.assets,
    ...(incident.principals.length > 0 ? { principals: incident.principals } : {}),
    from: incident.firstSeen,
    to: incident.lastSeen,
  };
}

/** The forensics routes (events, impact, evidence bundles), to mount behind the admin API. */
export function forensicsRoutes(
  deps: ForensicsWiringDeps,
): ((actor: (c: Context) => string) => Hono)[] {
  return [
    () =>
      createEventRoutes({
        store: deps.store,
        incidentScope: (id) => incidentScope(deps.responder, id),
      }),
  ];
}

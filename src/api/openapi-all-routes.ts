import type { Hono } from 'hono';
import { createAdminApi } from './admin-api.js';
import { createCaseRoutes } from './case-routes.js';
import { createConsoleRoutes } from './console-routes.js';
import { createEventRoutes } from './events-routes.js';
import { createEvidenceRoutes } from './evidence-routes.js';
import { registerIntakeRoutes, type IntakeServices } from './intake-routes.js';
import { createOpenApiDocument } from './openapi.js';
import { createPrivacyRoutes } from './privacy-routes.js';
import { registerRegistryRoutes, type RegistryServices } from './registry-routes.js';
import { createReportRoutes } from './report-routes.js';
import { createRespondRoutes } from './respond-routes.js';
import type { AdminServices } from './services.js';

/**
 * The admin API with every route group mounted over services that are never called, as the
 * composition root mounts them: for the route table (tests) and the OpenAPI document written
 * at build time (the console's typed client is generated from it).
 */
export function mountAllRoutes(): Hono {
  const app = createAdminApi({
    services: {} as AdminServices,
    token: 'unused-token-for-the-route-table',
    routes: [
      (actor) => createRespondRoutes({ incidents: {} } as never, actor),
      () => createEventRoutes({} as never),
      (actor) => createEvidenceRoutes({} as never, actor),
      () => createReportRoutes({} as never),
      (actor) => createConsoleRoutes({} as never, actor),
      () => createPrivacyRoutes({} as never),
      (actor) => createCaseRoutes({} as never, actor),
    ],
  });
  registerRegistryRoutes(app, {
    registry: {},
    rollback: {},
    recordFingerprint: async () => null,
    inventory: async () => [],
    threatModel: async () => '',
    artifactReads: {},
    validation: {},
  } as unknown as RegistryServices);
  registerIntakeRoutes(app, {} as IntakeServices);
  return app;
}

/** The OpenAPI document of every admin route. */
export function openApiDocumentOfAllRoutes() {
  return createOpenApiDocument(mountAllRoutes().routes);
}

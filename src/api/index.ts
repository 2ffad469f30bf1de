/** The admin REST API over the services the composition root provides. */
export { createAdminApi } from './admin-api.js';
export type { AdminServices, ApiKeyView, CreateKeyInput } from './services.js';
export { ApiErrorCodes } from './errors.js';
export { createRespondRoutes } from './respond-routes.js';
export { registerRegistryRoutes, type RegistryServices } from './registry-routes.js';
export {
  registerIntakeRoutes,
  AUDIT_FORMATS,
  MAX_AUDIT_BYTES,
  MAX_ARTIFACT_BYTES,
  type AuditFormat,
  type IntakeServices,
} from './intake-routes.js';
export { ROUTE_PERMISSIONS, permissionFor } from './route-permissions.js';
export { actorOf, identityOf } from './identity-context.js';
export type { AdminCallEntry, Authenticator } from './access.js';
export { createEventRoutes, type EventServices } from './events-routes.js';
export {
  createEvidenceRoutes,
  MAX_EVIDENCE_BYTES,
  type EvidenceRouteServices,
  type EvidenceUpload,
} from './evidence-routes.js';
export { createReportRoutes, type ReportServices } from './report-routes.js';
export { createPrivacyRoutes, type PrivacyRouteServices } from './privacy-routes.js';
export { createOpenApiDocument } from './openapi.js';
export {
  createConsoleRoutes,
  ConsoleBodies,
  type ConsoleServices,
  type DrillRequest,
  type LiveEvent,
} from './console-routes.js';
export {
  createCaseRoutes,
  CaseBodies,
  type CaseServices,
  type ImpactRequest,
} from './case-routes.js';
export { mountAllRoutes, openApiDocumentOfAllRoutes } from './openapi-all-routes.js';

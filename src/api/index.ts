/** The admin REST API over the services the composition root provides. */
export { createAdminApi } from './admin-api.js';
export type { AdminServices, ApiKeyView, CreateKeyInput } from './services.js';
export { ApiErrorCodes } from './errors.js';

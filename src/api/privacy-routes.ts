import { Hono, type Context } from 'hono';
import { AppError } from '../core/index.js';
import { hasPermission } from '../identity/index.js';
import { privacyError, PrivacyErrorCodes, type PrivacyService } from '../privacy/index.js';
import { ApiErrorCodes } from './errors.js';
import { identityOf } from './identity-context.js';

/** What the privacy routes need (issue 19). */
export interface PrivacyRouteServices {
  privacy: PrivacyService;
  /** Creates a new KEK, re-wraps every data key under it and replaces the KEK file. */
  rotateKek(
    actor: string,
    reason: unknown,
  ): Promise<{ from: string; to: string; rewrapped: number }>;
}

async function body(c: Context): Promise<Record<string, unknown>> {
  try {
    const json: unknown = await c.req.json();
    if (json && typeof json === 'object' && !Array.isArray(json))
      return json as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new AppError(ApiErrorCodes.API_BODY_INVALID, 'send a JSON object', { status: 400 });
}

/**
 * `POST /api/v1/privacy/erase` (crypto-shredding), `POST /api/v1/privacy/export` (GDPR Art. 15;
 * `reveal: true` opens sealed fields and needs `privacy.read`), `POST /api/v1/privacy/rotate-kek`
 * and `GET /api/v1/privacy/status`.
 */
export function createPrivacyRoutes(services: PrivacyRouteServices) {
  const app = new Hono();
  app.post('/api/v1/privacy/erase', async (c) => {
    const b = await body(c);
    const done = await services.privacy.erase(
      { subject: b.subject, reason: b.reason },
      identityOf(c).name,
    );
    return c.json(done);
  });
  app.post('/api/v1/privacy/export', async (c) => {
    const b = await body(c);
    const identity = identityOf(c);
    const reveal = b.reveal === true;
    if (reveal && !hasPermission(identity.role, 'privacy.read'))
      throw privacyError(
        PrivacyErrorCodes.PRIVACY_FORBIDDEN,
        `${identity.name} (role ${identity.role}) may not read clear values of sealed fields: it needs the privacy-officer role`,
      );
    const exported = await services.privacy.exportSubject(
      { subject: b.subject, reason: b.reason, reveal },
      identity.name,
    );
    return c.json(exported);
  });
  app.post('/api/v1/privacy/rotate-kek', async (c) => {
    const b = await body(c);
    return c.json(await services.rotateKek(identityOf(c).name, b.reason));
  });
  app.get('/api/v1/privacy/status', async (c) => c.json(await services.privacy.stats()));
  return app;
}

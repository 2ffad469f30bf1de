import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AppError } from '../core/index.js';
import { ApiErrorCodes } from './errors.js';

const isoTime = z.iso.datetime({ offset: true });

/** Bodies of the case routes (for the handlers and the OpenAPI document). */
export const CaseBodies = {
  impact: z
    .object({
      /** The suspect version (default: the one other than the known-good that served most). */
      version: z.string().min(1).max(128).optional(),
      /** The known-good version (default: the alert's, else the active one). */
      good: z.string().min(1).max(128).optional(),
      from: isoTime.optional(),
      to: isoTime.optional(),
    })
    .strict(),
};
export type ImpactRequest = z.infer<typeof CaseBodies.impact>;

/** What the case routes need (wired in src/app/case-wiring.ts). */
export interface CaseServices {
  /** Re-scores the incident's decisions on the known-good version and attaches the result. */
  impact(incidentId: string, request: ImpactRequest, actor: string): Promise<unknown>;
  /** Each evidence item of the incident with its custody entries from the audit ledger. */
  custody(incidentId: string): Promise<unknown>;
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError(
      ApiErrorCodes.API_BODY_INVALID,
      `the body is not valid JSON: ${(error as Error).message}`,
      { status: 400 },
    );
  }
}

/**
 * Routes the console needs to follow an incident without the CLI:
 * `POST /api/v1/incidents/:id/impact` (the affected decisions, as `aisoc impact --incident`)
 * and `GET /api/v1/incidents/:id/custody` (custody history per evidence item).
 */
export function createCaseRoutes(services: CaseServices, actor: (c: Context) => string) {
  const app = new Hono();
  app.post('/api/v1/incidents/:id/impact', async (c) => {
    const parsed = CaseBodies.impact.safeParse(await jsonBody(c));
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (i) => `${['body', ...i.path].join('.')}: ${i.message}`,
      );
      throw new AppError('VALIDATION_FAILED', problems.join('; '), {
        status: 400,
        details: problems,
      });
    }
    return c.json(
      await services.impact(c.req.param('id').slice(0, 128), parsed.data, actor(c)),
      201,
    );
  });
  app.get('/api/v1/incidents/:id/custody', async (c) =>
    c.json(await services.custody(c.req.param('id').slice(0, 128))),
  );
  return app;
}

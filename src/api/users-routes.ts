import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AppError, CoreErrorCodes } from '../core/index.js';
import { describeIdentity, ROLES, type IdentityService } from '../identity/index.js';
import { ApiErrorCodes } from './errors.js';
import { actorOf, identityOf } from './identity-context.js';

export const AddUserBody = z
  .object({
    name: z.string().min(1).max(64),
    role: z.enum(ROLES),
    service: z.boolean().default(false),
  })
  .strict();

async function readBody(c: Context): Promise<unknown> {
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? ''))
    throw new AppError(ApiErrorCodes.API_BODY_INVALID, 'content-type must be application/json', {
      status: 415,
    });
  try {
    return await c.req.json();
  } catch (error) {
    throw new AppError(
      ApiErrorCodes.API_BODY_INVALID,
      `the body is not valid JSON: ${(error as Error).message}`,
      { status: 400 },
    );
  }
}

/**
 * `GET /api/v1/whoami` (the console's sign-in check) and the user and service-account routes
 * (`/api/v1/users`, admin role). Tokens appear once, in the answer that created them.
 */
export function createUsersRoutes(identities: IdentityService | undefined): Hono {
  const app = new Hono();
  app.get('/api/v1/whoami', (c) => c.json(describeIdentity(identityOf(c))));
  const service = () => {
    if (!identities)
      throw new AppError(ApiErrorCodes.API_ROUTE_UNKNOWN, 'this server keeps no users', {
        status: 404,
      });
    return identities;
  };
  app.get('/api/v1/users', async (c) => c.json({ users: await service().list() }));
  app.post('/api/v1/users', async (c) => {
    const parsed = AddUserBody.safeParse(await readBody(c));
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (i) => `${['body', ...i.path].join('.')}: ${i.message}`,
      );
      throw new AppError(CoreErrorCodes.VALIDATION_FAILED, problems.join('; '), {
        status: 400,
        details: problems,
      });
    }
    return c.json(await service().add(parsed.data, actorOf(c)), 201);
  });
  app.get('/api/v1/users/:name', async (c) => c.json(await service().get(c.req.param('name'))));
  app.post('/api/v1/users/:name/rotate', async (c) =>
    c.json(await service().rotate(c.req.param('name'))),
  );
  app.post('/api/v1/users/:name/revoke', async (c) =>
    c.json(await service().revoke(c.req.param('name'))),
  );
  return app;
}

import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AppError, SEVERITIES } from '../core/index.js';
import { parsePlaybook, PHASES, type Responder } from '../respond/index.js';

const Id = z.string().min(1).max(128);
export const RESPOND_BODIES = {
  assign: z.object({ assignee: z.string().min(1).max(200) }).strict(),
  note: z.object({ text: z.string().min(1).max(10_000) }).strict(),
  severity: z
    .object({ severity: z.enum(SEVERITIES), reason: z.string().min(1).max(2000) })
    .strict(),
  phase: z.object({ phase: z.enum(PHASES) }).strict(),
  merge: z.object({ sources: z.array(Id).min(1).max(100) }).strict(),
  split: z.object({ alertIds: z.array(Id).min(1).max(10_000) }).strict(),
  dispose: z
    .object({
      falsePositive: z.boolean(),
      reason: z.string().min(1).max(2000),
      // How long the suppressions of a false positive last; default 30 days, at most 365.
      forHours: z
        .number()
        .positive()
        .max(365 * 24)
        .optional(),
    })
    .strict(),
  approval: z
    .object({ decision: z.enum(['approved', 'rejected']), role: z.string().min(1).max(100) })
    .strict(),
  validate: z.object({ yaml: z.string().max(262_144) }).strict(),
  run: z.object({ incidentId: Id, dryRun: z.boolean().default(false) }).strict(),
};

function parse<T>(schema: z.ZodType<T>, value: unknown, name = 'body'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${[name, ...i.path].join('.')}: ${i.message}`);
  throw new AppError('VALIDATION_FAILED', problems.join('; '), { status: 400, details: problems });
}

async function body<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? ''))
    throw new AppError('API_BODY_INVALID', 'content-type must be application/json', {
      status: 415,
    });
  let json: unknown;
  try {
    json = await c.req.json();
  } catch (error) {
    throw new AppError(
      'API_BODY_INVALID',
      `the body is not valid JSON: ${(error as Error).message}`,
      { status: 400 },
    );
  }
  return parse(schema, json);
}

const limitOf = (c: Context) =>
  parse(z.coerce.number().int().min(1).max(10_000), c.req.query('limit') ?? '100', 'limit');

/**
 * The respond routes under /api/v1: incidents, approvals and tasks, playbooks and runs,
 * evidence. Mount them behind the admin API's auth and error handling:
 * `app.route('/', createRespondRoutes(responder, actor))`.
 */
export function createRespondRoutes(responder: Responder, actor: (c: Context) => string) {
  const app = new Hono();
  const { incidents } = responder;

  app.get('/api/v1/incidents', async (c) =>
    c.json({
      incidents: await incidents.list({ open: c.req.query('open') === 'true', limit: limitOf(c) }),
    }),
  );
  app.get('/api/v1/incidents/metrics', async (c) => c.json(await responder.metrics()));
  app.get('/api/v1/incidents/:id', async (c) => c.json(await responder.detail(c.req.param('id'))));
  app.post('/api/v1/incidents/:id/assign', async (c) =>
    c.json(
      await incidents.assign(
        c.req.param('id'),
        (await body(c, RESPOND_BODIES.assign)).assignee,
        actor(c),
      ),
    ),
  );
  app.post('/api/v1/incidents/:id/notes', async (c) => {
    await incidents.note(c.req.param('id'), (await body(c, RESPOND_BODIES.note)).text, actor(c));
    return c.json({ ok: true }, 201);
  });
  app.post('/api/v1/incidents/:id/severity', async (c) => {
    const b = await body(c, RESPOND_BODIES.severity);
    return c.json(
      await incidents.overrideSeverity(c.req.param('id'), b.severity, b.reason, actor(c)),
    );
  });
  app.post('/api/v1/incidents/:id/phase', async (c) =>
    c.json(
      await responder.setPhase(
        c.req.param('id'),
        (await body(c, RESPOND_BODIES.phase)).phase,
        actor(c),
      ),
    ),
  );
  app.post('/api/v1/incidents/:id/merge', async (c) =>
    c.json(
      await incidents.merge(
        c.req.param('id'),
        (await body(c, RESPOND_BODIES.merge)).sources,
        actor(c),
      ),
    ),
  );
  app.post('/api/v1/incidents/:id/split', async (c) =>
    c.json(
      await incidents.split(
        c.req.param('id'),
        (await body(c, RESPOND_BODIES.split)).alertIds,
        actor(c),
      ),
      201,
    ),
  );
  app.post('/api/v1/incidents/:id/lift', async (c) =>
    c.json({ lifted: await responder.liftContainment(c.req.param('id'), actor(c)) }),
  );
  app.post('/api/v1/incidents/:id/dispose', async (c) => {
    const b = await body(c, RESPOND_BODIES.dispose);
    const options = {
      falsePositive: b.falsePositive,
      reason: b.reason,
      ...(b.forHours === undefined ? {} : { forMs: b.forHours * 3_600_000 }),
    };
    return c.json(await responder.dispose(c.req.param('id'), options, actor(c)));
  });
  app.get('/api/v1/suppressions', async (c) =>
    c.json({
      suppressions: await responder.suppressions.list({ active: c.req.query('all') !== 'true' }),
    }),
  );
  app.post('/api/v1/suppressions/:id/revoke', async (c) =>
    c.json(await responder.suppressions.revoke(c.req.param('id'), actor(c))),
  );
  app.get('/api/v1/incidents/:id/actions', async (c) =>
    c.json({ actions: await responder.actionsOf(c.req.param('id')) }),
  );

  app.get('/api/v1/approvals', async (c) => {
    const status = c.req.query('status');
    return c.json({ approvals: await responder.approvals.list(status ? { status } : {}) });
  });
  app.post('/api/v1/approvals/:id', async (c) => {
    const b = await body(c, RESPOND_BODIES.approval);
    return c.json(
      await responder.approvals.decide(c.req.param('id'), b.decision, actor(c), b.role),
    );
  });
  app.get('/api/v1/tasks', async (c) =>
    c.json({
      tasks: await incidents.tasks({
        kind: 'task',
        ...(c.req.query('status') ? { status: c.req.query('status')! } : {}),
      }),
    }),
  );
  app.post('/api/v1/tasks/:id/done', async (c) =>
    c.json(await responder.approvals.completeTask(c.req.param('id'), actor(c))),
  );

  app.get('/api/v1/playbooks', (c) => c.json({ playbooks: responder.playbooks.list() }));
  app.post('/api/v1/playbooks/validate', async (c) =>
    c.json(parsePlaybook((await body(c, RESPOND_BODIES.validate)).yaml)),
  );
  app.post('/api/v1/playbooks/:id/run', async (c) => {
    const b = await body(c, RESPOND_BODIES.run);
    if (b.dryRun)
      return c.json({
        dryRun: true,
        plan: await responder.playbooks.plan(c.req.param('id'), b.incidentId),
      });
    return c.json(await responder.playbooks.run(c.req.param('id'), b.incidentId, actor(c)), 201);
  });
  app.get('/api/v1/runs', async (c) => {
    const incidentId = c.req.query('incident');
    return c.json({ runs: await responder.runner.list(incidentId ? { incidentId } : {}) });
  });
  app.get('/api/v1/runs/:id', async (c) => {
    const run = await responder.runner.get(c.req.param('id'));
    if (!run)
      throw new AppError('RESPOND_RUN_UNKNOWN', `no run ${c.req.param('id').slice(0, 128)}`, {
        status: 404,
      });
    return c.json({ run, steps: await responder.runner.steps(run.id) });
  });

  app.get('/api/v1/evidence', async (c) =>
    c.json({ evidence: await responder.evidence.list(c.req.query('incident')) }),
  );
  app.get('/api/v1/evidence/:digest/content', async (c) => {
    const { item, bytes } = await responder.evidenceContent(
      c.req.param('digest'),
      actor(c),
      c.req.query('incident')?.slice(0, 128),
    );
    return new Response(new Uint8Array(bytes), {
      headers: { 'content-type': item.mediaType, 'x-aisoc-digest': item.digest },
    });
  });
  return app;
}

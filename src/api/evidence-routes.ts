import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { AppError } from '../core/index.js';
import { ApiErrorCodes } from './errors.js';

/** Evidence uploads may be large (an impact export of a million decisions): 512 MiB. */
export const MAX_EVIDENCE_BYTES = 512 * 1024 * 1024;

export interface EvidenceUpload {
  bytes: Uint8Array;
  kind: string;
  label: string;
  mediaType: string;
}

/** What the evidence routes need from the responder (wired in src/app). */
export interface EvidenceRouteServices {
  /** Stores the bytes as evidence of the incident, with custody; throws when it is unknown. */
  add(incidentId: string, upload: EvidenceUpload, actor: string): Promise<unknown>;
  /** Builds a signed bundle of the incident's evidence for `recipient` and records the hand-over. */
  bundle(incidentId: string, recipient: string, actor: string): Promise<unknown>;
}

export const BundleBody = z.object({ recipient: z.string().min(1).max(200) }).strict();

const Query = z
  .object({
    label: z.string().min(1).max(1000),
    kind: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower-case letters, digits and _')
      .default('attachment'),
    mediaType: z
      .string()
      .regex(/^[\w.+-]+\/[\w.+-]+$/, 'a media type such as application/pdf')
      .default('application/octet-stream'),
  })
  .strict();

/**
 * `POST /api/v1/incidents/:id/evidence?label=…[&kind=…&mediaType=…]` with the file as an
 * `application/octet-stream` body: attaches any artefact (an audit report, a model snapshot,
 * an impact export) to an incident, stored by digest and recorded in the audit ledger.
 */
export function createEvidenceRoutes(
  services: EvidenceRouteServices,
  actor: (c: Context) => string,
) {
  const app = new Hono();
  const limit = bodyLimit({
    maxSize: MAX_EVIDENCE_BYTES,
    onError: () => {
      throw new AppError(
        ApiErrorCodes.API_BODY_INVALID,
        `evidence is larger than ${MAX_EVIDENCE_BYTES} bytes`,
        {
          status: 413,
        },
      );
    },
  });
  app.post('/api/v1/incidents/:id/evidence', limit, async (c) => {
    if (!/^application\/octet-stream\b/i.test(c.req.header('content-type') ?? ''))
      throw new AppError(
        ApiErrorCodes.API_BODY_INVALID,
        'send the file as application/octet-stream',
        {
          status: 415,
        },
      );
    const parsed = Query.safeParse(c.req.query());
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (i) => `${['query', ...i.path].join('.')}: ${i.message}`,
      );
      throw new AppError('VALIDATION_FAILED', problems.join('; '), {
        status: 400,
        details: problems,
      });
    }
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length === 0)
      throw new AppError(ApiErrorCodes.API_BODY_INVALID, 'the evidence file is empty', {
        status: 400,
      });
    const item = await services.add(
      c.req.param('id').slice(0, 128),
      { bytes, ...parsed.data },
      actor(c),
    );
    return c.json(item, 201);
  });
  app.post('/api/v1/incidents/:id/evidence/bundle', async (c) => {
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      throw new AppError(ApiErrorCodes.API_BODY_INVALID, 'send {"recipient": "..."} as JSON', {
        status: 400,
      });
    }
    const parsed = BundleBody.safeParse(json);
    if (!parsed.success)
      throw new AppError(
        'VALIDATION_FAILED',
        `body.recipient: ${parsed.error.issues[0]?.message}`,
        { status: 400 },
      );
    return c.json(
      await services.bundle(c.req.param('id').slice(0, 128), parsed.data.recipient, actor(c)),
      201,
    );
  });
  return app;
}

import type { Context, Hono } from 'hono';
import { AppError } from '../core/index.js';
import { ApiErrorCodes } from './errors.js';
import { actorOf } from './identity-context.js';

/** Largest training batch the data audit takes (the admin API's own limit, 1 MiB). */
export const MAX_AUDIT_BYTES = 1_048_576;
/** Largest model file the artifact upload takes. */
export const MAX_ARTIFACT_BYTES = 256 * 1_048_576;

export const AUDIT_FORMATS = ['csv', 'jsonl'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** What the intake routes need; the composition root builds it (see src/app). */
export interface IntakeServices {
  /** Audits a candidate training batch against the model's baseline; alerts when it finds poison. */
  auditBatch(
    input: { model: string; text: string; format: AuditFormat; label?: string; id?: string },
    actor: string,
  ): Promise<unknown>;
  /** Stores a model file content-addressed (never executed) and registers it as a version. */
  uploadArtifact(
    input: { model: string; version: string; fileName: string; bytes: Uint8Array },
    actor: string,
  ): Promise<unknown>;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function formatOf(c: Context): AuditFormat {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (/^text\/csv\b/.test(type)) return 'csv';
  if (/^application\/(x-ndjson|jsonl|x-jsonlines|jsonlines)\b/.test(type)) return 'jsonl';
  throw new AppError(
    ApiErrorCodes.API_BODY_INVALID,
    'content-type must be text/csv or application/x-ndjson (JSON Lines)',
    { status: 415 },
  );
}

function required(c: Context, name: string): string {
  const v = c.req.query(name);
  if (!v)
    throw new AppError('VALIDATION_FAILED', `query.${name}: required`, {
      status: 400,
      details: [`query.${name}: required`],
    });
  return v.slice(0, 200);
}

/** Reads at most `limit` bytes of the body; a longer body is refused before it is all read. */
async function readBounded(c: Context, limit: number): Promise<Uint8Array> {
  const declared = Number(c.req.header('content-length') ?? NaN);
  const tooLarge = () =>
    new AppError(ApiErrorCodes.API_BODY_INVALID, `the body is larger than ${limit} bytes`, {
      status: 413,
    });
  if (declared > limit) throw tooLarge();
  const body = c.req.raw.body;
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The intake routes on the admin API (mounted after createAdminApi, so its token check and
 * error mapping apply): the data-poisoning audit of a training batch and the model-file upload.
 */
export function registerIntakeRoutes(app: Hono, services: IntakeServices): void {
  const actor = actorOf;

  app.post('/api/v1/data/audit', async (c) => {
    const format = formatOf(c);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(
      await readBounded(c, MAX_AUDIT_BYTES),
    );
    if (text.trim() === '')
      throw new AppError(ApiErrorCodes.API_BODY_INVALID, 'the batch is empty', { status: 400 });
    const label = c.req.query('label');
    const id = c.req.query('id');
    return c.json(
      await services.auditBatch(
        {
          model: required(c, 'model'),
          text,
          format,
          ...(label ? { label } : {}),
          ...(id ? { id } : {}),
        },
        actor(c),
      ),
    );
  });

  app.post('/api/v1/registry/models/:model/artifacts', async (c) => {
    if (!/^application\/octet-stream\b/i.test(c.req.header('content-type') ?? ''))
      throw new AppError(
        ApiErrorCodes.API_BODY_INVALID,
        'content-type must be application/octet-stream (the raw model file)',
        { status: 415 },
      );
    const fileName = required(c, 'filename');
    if (!FILE_NAME.test(fileName))
      throw new AppError('VALIDATION_FAILED', `query.filename: must match ${FILE_NAME}`, {
        status: 400,
        details: [`query.filename: must match ${FILE_NAME}`],
      });
    const bytes = await readBounded(c, MAX_ARTIFACT_BYTES);
    if (bytes.byteLength === 0)
      throw new AppError(ApiErrorCodes.API_BODY_INVALID, 'the model file is empty', {
        status: 400,
      });
    return c.json(
      await services.uploadArtifact(
        { model: c.req.param('model'), version: required(c, 'version'), fileName, bytes },
        actor(c),
      ),
      201,
    );
  });
}

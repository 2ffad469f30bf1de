import type { Context, Hono } from 'hono';
import { AppError } from '../core/index.js';
import type { ArtifactReads, Registry, Rollback, Validation } from '../registry/index.js';
import { ApiErrorCodes } from './errors.js';
import { actorOf, identityOf } from './identity-context.js';

/** What the registry routes need; the composition root builds it (see src/app). */
export interface RegistryServices {
  registry: Registry;
  rollback: Rollback;
  /** The validation gate (`registry validate`), when wired. */
  validation?: Validation;
  /** Replays probe inputs against model@version now and stores its answers as its fingerprint. */
  recordFingerprint?: (
    model: string,
    version: string,
    input: { probes: { id: string; input: unknown }[]; tolerance: number },
    actor: string,
  ) => Promise<unknown>;
  /** Told when admission refuses an approval (e.g. the scanner found a payload); then rethrown. */
  onApprovalRefused?: (
    model: string,
    version: string,
    error: unknown,
    actor: string,
  ) => Promise<void>;
  /** Assets, and the threat model as Markdown, when wired. */
  inventory?: () => Promise<unknown>;
  threatModel?: () => Promise<string>;
  /** Model-file downloads, each read audited (docs/artifact-access.md), when wired. */
  artifactReads?: ArtifactReads;
}

async function body(c: Context): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(c.req.header('content-type') ?? ''))
    throw new AppError(ApiErrorCodes.API_BODY_INVALID, 'content-type must be application/json', {
      status: 415,
    });
  let value: unknown;
  try {
    value = await c.req.json();
  } catch (error) {
    throw new AppError(
      ApiErrorCodes.API_BODY_INVALID,
      `the body is not valid JSON: ${(error as Error).message}`,
      { status: 400 },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AppError(ApiErrorCodes.API_BODY_INVALID, 'the body must be a JSON object', {
      status: 400,
    });
  return value as Record<string, unknown>;
}

function reasonOf(b: Record<string, unknown>): string {
  const reason = b.reason;
  if (typeof reason !== 'string' || reason.length === 0 || reason.length > 2000)
    throw new AppError(
      'VALIDATION_FAILED',
      'body.reason: a non-empty string (at most 2000 characters) is required',
      { status: 400 },
    );
  return reason;
}

function text(b: Record<string, unknown>, key: string): string {
  const v = b[key];
  if (typeof v !== 'string' || v.length === 0)
    throw new AppError('VALIDATION_FAILED', `body.${key}: a non-empty string is required`, {
      status: 400,
    });
  return v;
}

function probesOf(b: Record<string, unknown>): {
  probes: { id: string; input: unknown }[];
  tolerance: number;
} {
  const { probes, tolerance } = b;
  const ok =
    Array.isArray(probes) &&
    probes.length > 0 &&
    probes.length <= 1000 &&
    probes.every(
      (p) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as { id?: unknown }).id === 'string' &&
        'input' in p,
    );
  if (!ok || typeof tolerance !== 'number' || !(tolerance >= 0))
    throw new AppError(
      'VALIDATION_FAILED',
      'body: give probes [{id, input}] (1 to 1000) and a tolerance >= 0',
      { status: 400 },
    );
  return { probes: probes as { id: string; input: unknown }[], tolerance };
}

/**
 * Mounts the registry under /api/v1/registry on the admin API (after createAdminApi, so its
 * token check and error mapping apply). Input is validated by the registry itself.
 */
export function registerRegistryRoutes(app: Hono, services: RegistryServices): void {
  const { registry, rollback } = services;
  const actor = actorOf;
  const base = '/api/v1/registry';
  const version = (c: Context) => [c.req.param('model')!, c.req.param('version')!] as const;

  app.get(`${base}/models`, async (c) => c.json({ models: await registry.models() }));
  app.post(`${base}/models`, async (c) =>
    c.json(await registry.registerModel((await body(c)) as never, actor(c)), 201),
  );
  app.get(`${base}/models/:model`, async (c) => c.json(await registry.model(c.req.param('model'))));
  app.post(`${base}/models/:model/versions`, async (c) =>
    c.json(
      await registry.registerVersion(
        { ...(await body(c)), model: c.req.param('model') } as never,
        actor(c),
      ),
      201,
    ),
  );
  app.get(`${base}/models/:model/versions/:version`, async (c) => {
    const [m, v] = version(c);
    return c.json({ ...(await registry.version(m, v)), history: await registry.history(m, v) });
  });
  for (const verb of ['approve', 'quarantine', 'revoke'] as const) {
    app.post(`${base}/models/:model/versions/:version/${verb}`, async (c) => {
      const [m, v] = version(c);
      const reason = reasonOf(await body(c));
      try {
        return c.json(await registry[verb](m, v, actor(c), reason));
      } catch (error) {
        if (
          verb === 'approve' &&
          (error as { code?: string }).code === 'REGISTRY_ADMISSION_REFUSED'
        )
          await services.onApprovalRefused?.(m, v, error, actor(c));
        throw error;
      }
    });
  }
  app.post(`${base}/models/:model/versions/:version/deploy`, async (c) => {
    const [m, v] = version(c);
    const b = await body(c);
    const endpoint = typeof b.endpoint === 'string' ? b.endpoint : m;
    return c.json(
      await registry.deploy({ model: m, version: v, endpoint, reason: reasonOf(b) }, actor(c)),
      201,
    );
  });
  if (services.recordFingerprint) {
    const record = services.recordFingerprint;
    app.post(`${base}/models/:model/versions/:version/fingerprint`, async (c) => {
      const [m, v] = version(c);
      return c.json(await record(m, v, probesOf(await body(c)), actor(c)), 201);
    });
  }
  if (services.validation) {
    const validation = services.validation;
    app.post(`${base}/models/:model/versions/:version/validate`, async (c) => {
      const [m, v] = version(c);
      const b = await body(c);
      const data = text(b, 'data');
      const at = data.lastIndexOf('@');
      if (at <= 0 || at === data.length - 1)
        throw new AppError(
          'REGISTRY_INPUT_INVALID',
          `data: expected DATASET@LABEL, got "${data}"`,
          {
            status: 400,
          },
        );
      const tolerance = b.tolerance;
      if (tolerance !== undefined && typeof tolerance !== 'number')
        throw new AppError('REGISTRY_INPUT_INVALID', 'tolerance: expected a number', {
          status: 400,
        });
      const group = b.group;
      if (group !== undefined && (typeof group !== 'string' || group === ''))
        throw new AppError('REGISTRY_INPUT_INVALID', 'group: expected a column name', {
          status: 400,
        });
      const fairnessTolerance = b.fairnessTolerance;
      if (fairnessTolerance !== undefined && typeof fairnessTolerance !== 'number')
        throw new AppError('REGISTRY_INPUT_INVALID', 'fairnessTolerance: expected a number', {
          status: 400,
        });
      const record = await validation.validate(
        {
          model: m,
          version: v,
          against: text(b, 'against'),
          dataset: data.slice(0, at),
          label: data.slice(at + 1),
          ...(tolerance === undefined ? {} : { tolerance }),
          ...(group === undefined ? {} : { group }),
          ...(fairnessTolerance === undefined ? {} : { fairnessTolerance }),
        },
        actor(c),
      );
      return c.json(record, 201);
    });
    app.get(`${base}/models/:model/versions/:version/validation`, async (c) => {
      const [m, v] = version(c);
      return c.json({ validation: await validation.latest(m, v) });
    });
  }
  app.post(`${base}/models/:model/rollback`, async (c) => {
    const b = await body(c);
    const endpoint = typeof b.endpoint === 'string' ? { endpoint: b.endpoint } : {};
    return c.json(
      await rollback.rollback(
        { model: c.req.param('model'), to: text(b, 'to'), reason: reasonOf(b), ...endpoint },
        actor(c),
      ),
    );
  });
  // Every deployment of any version of the model, on any endpoint, oldest first.
  app.get(`${base}/models/:model/deployments`, async (c) => {
    const { versions } = await registry.model(c.req.param('model'));
    const deployments = await registry.repository.deploymentsOf(versions.map((v) => v.id));
    return c.json({ deployments: [...deployments].sort((a, b) => a.at.localeCompare(b.at)) });
  });
  app.get(`${base}/deployments/:endpoint`, async (c) =>
    c.json({ deployments: await registry.deployments(c.req.param('endpoint')) }),
  );
  app.post(`${base}/datasets`, async (c) =>
    c.json(await registry.registerDataset((await body(c)) as never, actor(c)), 201),
  );
  app.post(`${base}/datasets/:dataset/snapshots`, async (c) =>
    c.json(
      await registry.registerSnapshot(
        { ...(await body(c)), dataset: c.req.param('dataset') } as never,
        actor(c),
      ),
      201,
    ),
  );
  app.get(`${base}/datasets`, async (c) => {
    const datasets = await registry.repository.datasets();
    return c.json({
      datasets: await Promise.all(
        datasets.map(async (d) => ({
          ...d,
          snapshots: await registry.repository.snapshots(d.id),
        })),
      ),
    });
  });
  for (const [verb, state] of [
    ['approve', 'approved'],
    ['quarantine', 'quarantined'],
    ['revoke', 'revoked'],
  ] as const)
    app.post(`${base}/datasets/:dataset/snapshots/:label/${verb}`, async (c) =>
      c.json(
        await registry.setSnapshotState(
          c.req.param('dataset'),
          c.req.param('label'),
          state,
          actor(c),
          reasonOf(await body(c)),
        ),
      ),
    );
  app.post(`${base}/runs`, async (c) =>
    c.json(await registry.recordRun((await body(c)) as never, actor(c)), 201),
  );
  app.get(`${base}/lineage/snapshots/:dataset/:label`, async (c) =>
    c.json(await registry.lineage.trainedOn(c.req.param('dataset'), c.req.param('label'))),
  );
  app.get(`${base}/lineage/models/:model/:version`, async (c) =>
    c.json(await registry.lineage.descendantsOf(c.req.param('model'), c.req.param('version'))),
  );
  app.get(`${base}/lineage/endpoints/:endpoint`, async (c) =>
    c.json(await registry.lineage.behind(c.req.param('endpoint'), c.req.query('at'))),
  );
  if (services.artifactReads) {
    const reads = services.artifactReads;
    app.get(`${base}/models/:model/versions/:version/file`, async (c) => {
      const [m, v] = version(c);
      const path = c.req.query('path');
      if (path === undefined || path === '')
        throw new AppError(
          'REGISTRY_ARTIFACT_PATH_INVALID',
          'query.path: the manifest path of the file is required (see `files` of GET …/versions/:version)',
          { status: 400, details: { model: m, version: v } },
        );
      const download = await reads.open(m, v, path, identityOf(c));
      const name = download.file.path === '.' ? `${m}-${v}` : download.file.path.split('/').pop()!;
      return new Response(download.body, {
        status: 200,
        headers: {
          'content-type': 'application/octet-stream',
          'content-disposition': `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`,
          // The registered digest: the client checks the bytes it received against it.
          'x-aisoc-sha256': download.file.digest,
          'repr-digest': `sha-256=:${Buffer.from(download.file.digest, 'hex').toString('base64')}:`,
          'x-aisoc-manifest-digest': download.manifestDigest,
          'cache-control': 'no-store',
        },
      });
    });
  }
  if (services.artifactReads) {
    const reads = services.artifactReads;
    // Object-store access logs (S3 server access logs) into the audit ledger.
    app.post(`${base}/access-log`, async (c) => {
      const b = await body(c);
      if (b.format !== 's3')
        throw new AppError('REGISTRY_INPUT_INVALID', 'body.format: expected "s3"', {
          status: 400,
        });
      return c.json(await reads.ingestStoreLog('s3', text(b, 'text'), actor(c)), 201);
    });
  }
  if (services.inventory) {
    const inventory = services.inventory;
    app.get(`${base}/inventory`, async (c) => c.json({ assets: await inventory() }));
  }
  if (services.threatModel) {
    const threatModel = services.threatModel;
    app.get(`${base}/threat-model`, async (c) => c.json({ markdown: await threatModel() }));
  }
}

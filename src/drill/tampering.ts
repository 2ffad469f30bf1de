import { ATLAS } from '../core/index.js';
import { readFile, writeFile } from 'node:fs/promises';
import { DrillErrorCodes, drillError } from './errors.js';
import { kserveBody, sleep, type PipelineContext, type PipelineScenario } from './pipeline.js';

const ATTACKS = ['swapped-upstream', 'tampered-artifact'] as const;

const missing = (what: string) =>
  drillError(
    DrillErrorCodes.DRILL_CONTROL_MISSING,
    `tampering: ${what}; \`aisoc drill all\` sets both up on its throw-away aisoc, and against a running one use --attack tampered-artifact --artifact-file FILE`,
  );

/**
 * A client of the model keeps querying it through the gateway after the tampering, until
 * the gateway stops serving it (isolation: 503 without a fallback, or 403) or time runs out.
 */
async function serveUntilContained(ctx: PipelineContext, key: string, ms: number) {
  const url = `${ctx.gatewayUrl.replace(/\/$/, '')}/v2/models/${encodeURIComponent(ctx.model)}/infer`;
  const end = Date.now() + ms;
  let answered = 0;
  let sent = 0;
  for (let i = 0; Date.now() < end; i += 1) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: kserveBody([ctx.data.holdout[i % ctx.data.holdout.length]!]),
    }).catch(() => null);
    sent += 1;
    const text = res ? await res.text() : '';
    if (res?.status === 200) answered += 1;
    else if (res && (res.status === 403 || text.includes('GATEWAY_MODEL_ISOLATED')))
      return { answered, sent, contained: { at: Date.now(), status: res.status } };
    await sleep(100);
  }
  return { answered, sent, contained: null };
}

/** Registers the remote version (if new) and records its fingerprint through the admin API. */
async function recordFingerprint(ctx: PipelineContext, version: string, upstream: string) {
  const json = (v: unknown) => ({ type: 'application/json', data: JSON.stringify(v) });
  const base = `/api/v1/registry/models/${encodeURIComponent(ctx.model)}`;
  const ok = (r: { status: number }) => r.status < 300 || r.status === 409;
  const steps = [
    await ctx.admin.request(
      'POST',
      '/api/v1/registry/models',
      json({ name: ctx.model, owner: 'aisoc-drill' }),
    ),
    await ctx.admin.request('POST', `${base}/versions`, json({ version, upstream })),
  ];
  const probes = ctx.data.holdout
    .slice(0, 8)
    .map((row, i) => ({ id: `probe-${i}`, input: JSON.parse(kserveBody([row])) as unknown }));
  steps.push(
    await ctx.admin.request(
      'POST',
      `${base}/versions/${encodeURIComponent(version)}/fingerprint`,
      json({ probes, tolerance: 1e-4 }),
    ),
  );
  const bad = steps.find((r) => !ok(r));
  if (bad)
    throw drillError(
      DrillErrorCodes.DRILL_HTTP_FAILED,
      `recording the fingerprint of ${ctx.model}@${version}: ${bad.status} ${JSON.stringify(bad.json).slice(0, 300)}`,
    );
}

/**
 * A tampered artifact or a silently swapped remote model (ATLAS AML.T0010.003, AML.T0018):
 * the integrity monitor must notice (digest or fingerprint) and a playbook isolate the model.
 */
export const tampering: PipelineScenario = {
  kind: 'pipeline',
  name: 'tampering',
  attacks: ATTACKS,
  atlas: [ATLAS.supplyChainModel, ATLAS.manipulateModel],
  containment: 'the tampered model is no longer served (isolated by the playbook)',
  async run(ctx) {
    const c = ctx.control;
    const key = await ctx.apiKey();
    let undo: () => Promise<void>;
    let detector: string;
    if (ctx.attack === 'swapped-upstream') {
      const { swapUpstream, restoreUpstream, upstreamUrl, remoteVersion } = c;
      if (!swapUpstream || !restoreUpstream || !upstreamUrl || !remoteVersion)
        throw missing("swapped-upstream needs control of the remote model's upstream");
      await recordFingerprint(ctx, remoteVersion, upstreamUrl);
      ctx.progress(`tampering: fingerprint of ${ctx.model}@${remoteVersion} recorded`);
      undo = restoreUpstream;
      detector = 'registry.fingerprint';
    } else {
      if (!c.artifactFile)
        throw missing('tampered-artifact needs the model file the aisoc serves (--artifact-file)');
      detector = 'registry.integrity';
      const file = c.artifactFile;
      const original = await readFile(file).catch(() => {
        throw missing(`cannot read the artifact file ${file}`);
      });
      undo = () => writeFile(file, original);
    }
    const startedAt = Date.now();
    try {
      if (ctx.attack === 'swapped-upstream') await c.swapUpstream!();
      else {
        const bytes = Buffer.from(await readFile(c.artifactFile!));
        const at = Math.floor(bytes.length / 2);
        for (let i = at; i < Math.min(bytes.length, at + 16); i += 1) bytes[i] = bytes[i]! ^ 0xff;
        await writeFile(c.artifactFile!, bytes);
      }
      ctx.progress(`tampering: ${ctx.attack} done on ${ctx.model}; a client keeps querying it`);
      const served = await serveUntilContained(ctx, key, ctx.settleMs + 5000);
      return {
        startedAt,
        requests: served.sent,
        subject: `model:${ctx.model}`,
        matches: (a) =>
          a.model === ctx.model && a.detector === detector && Date.parse(a.time) >= startedAt,
        contained: served.contained,
        achieved: { queries: served.answered, answersAfterTamper: served.answered },
      };
    } finally {
      await undo();
    }
  },
};

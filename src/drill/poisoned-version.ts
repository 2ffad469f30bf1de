import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ATLAS } from '../core/index.js';
import { createDrillKey, type DrillAdmin } from './admin-client.js';
import { DrillErrorCodes, drillError } from './errors.js';
import type { AlertWatch, PipelineContext, PipelineOutcome } from './pipeline.js';
import { sleep, until } from './pipeline.js';
import type { ForensicsCheck } from './scorecard.js';

// Issue 12's scenario as a drill: an insider deploys a poisoned version, ten clinics get its
// answers until the output-drift detector alerts, the data-poisoning playbook pins the
// known-good version once the drill (as the ML lead) approves, and then the forensics run:
// impact, an evidence bundle verified offline, the review with its deadline clocks, and the
// STIX and OCSF exports. Each forensics step is a scorecard line.

const CLINICS = 10;
const DECISIONS = 200;
const SUBJECTS = 50;
/** Rows of the known-good version before the release: output drift's reference is 1,000. */
const PROFILE_REQUESTS = 110;
const PROFILE_ROWS = 10;
/** Single-row answers of the poisoned version sent at most while waiting for the alert. */
const MAX_ANSWERS = 1000;
const HOUR = 3_600_000;

/** Which version of the drilled model is the poisoned release, and its known-good one. */
export interface PoisonedRelease {
  readonly version: string;
  readonly goodVersion: string;
}

/** The figures of an impact summary the drill reads (src/forensics ImpactSummary). */
export interface ImpactFigures {
  readonly version: string;
  readonly goodVersion: string;
  readonly decisions: number;
  readonly flips: number;
  readonly subjects: number;
  readonly byPrincipal: Record<string, { decisions: number }>;
}

/**
 * Re-scores a version's decisions on the known-good one, writing every decision to `out`
 * (needs the target's database, so the CLI gives it to embedded drills only).
 */
export type ImpactRunner = (o: {
  model: string;
  version: string;
  goodVersion: string;
  from: string;
  out: string;
}) => Promise<ImpactFigures>;

/** Checks an evidence bundle folder offline (src/forensics verifyEvidenceBundle). */
export type BundleVerifier = (dir: string) => Promise<{
  ok: boolean;
  items: number;
  entries: number;
  problems: { file: string; problem: string }[];
}>;

interface Answer {
  readonly clinic: string;
  readonly sentAt: number;
  readonly answeredAt: number;
  readonly version: string | null;
}

async function infer(
  ctx: PipelineContext,
  key: string,
  rows: readonly (readonly number[])[],
  parameters?: Record<string, string>,
): Promise<{ status: number; version: string | null }> {
  const body = {
    inputs: [
      {
        name: 'input',
        shape: [rows.length, rows[0]?.length ?? 0],
        datatype: 'FP32',
        data: rows.flat(),
      },
    ],
    ...(parameters ? { parameters } : {}),
  };
  const res = await fetch(
    `${ctx.gatewayUrl.replace(/\/$/, '')}/v2/models/${encodeURIComponent(ctx.model)}/infer`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    },
  );
  const json = (await res.json().catch(() => null)) as { model_version?: unknown } | null;
  return {
    status: res.status,
    version: typeof json?.model_version === 'string' ? json.model_version : null,
  };
}

async function clinicKeys(ctx: PipelineContext): Promise<[string, string][]> {
  const keys: [string, string][] = [];
  for (let c = 0; c < CLINICS; c++) {
    const clinic = `drill-poisoning-clinic${c}-${ctx.run}`;
    keys.push([clinic, await createDrillKey(ctx.admin, clinic, ctx.model)]);
  }
  const probe = ctx.data.holdout[0]!;
  for (const [, key] of keys)
    await until(
      async () => ((await infer(ctx, key, [probe])).status === 200 ? true : undefined),
      5000,
      50,
    );
  return keys;
}

/** Waits until the gateway answers with `version` (a pin takes effect through the policy channel). */
async function untilServing(
  ctx: PipelineContext,
  key: string,
  version: string,
  ms: number,
): Promise<number | undefined> {
  const probe = ctx.data.holdout[1]!;
  return until(async () => {
    const r = await infer(ctx, key, [probe]);
    return r.version === version ? Date.now() : undefined;
  }, ms);
}

/** The incident holding `alertId`, its data-poisoning run's approval approved as the ML lead. */
async function approveRollback(
  defender: DrillAdmin,
  alertId: string,
  ms: number,
): Promise<{ incidentId: string; approved: boolean; runs: string } | null> {
  const incidentId = await until(async () => {
    const { incidents } = await defender.get<{ incidents: { id: string; alertIds: string[] }[] }>(
      '/api/v1/incidents?limit=500',
    );
    return incidents.find((i) => i.alertIds.includes(alertId))?.id;
  }, ms);
  if (incidentId === undefined) return null;
  let runs: { id: string; playbookId: string; status: string }[] = [];
  const approval = await until(async () => {
    ({ runs } = await defender.get<{ runs: typeof runs }>(
      `/api/v1/incidents/${encodeURIComponent(incidentId)}`,
    ));
    const runIds = new Set(runs.filter((r) => r.playbookId === 'data-poisoning').map((r) => r.id));
    const { approvals } = await defender.get<{ approvals: { id: string; runId: string }[] }>(
      '/api/v1/approvals?status=open',
    );
    return approvals.find((a) => runIds.has(a.runId));
  }, ms);
  const seen = runs.map((r) => `${r.playbookId} ${r.status}`).join(', ') || 'none';
  if (approval === undefined) return { incidentId, approved: false, runs: seen };
  await defender.post(`/api/v1/approvals/${encodeURIComponent(approval.id)}`, {
    decision: 'approved',
    role: 'ml-lead',
  });
  return { incidentId, approved: true, runs: seen };
}

/** Runs one forensics step; a thrown error is a failed line naming it. */
async function check(
  name: string,
  step: () => Promise<{ passed: boolean; detail: string }>,
): Promise<ForensicsCheck> {
  try {
    return { check: name, ...(await step()) };
  } catch (error) {
    return { check: name, passed: false, detail: `error: ${(error as Error).message}` };
  }
}

async function attach(
  defender: DrillAdmin,
  incidentId: string,
  q: Record<string, string>,
  data: Uint8Array,
): Promise<void> {
  const res = await defender.request(
    'POST',
    `/api/v1/incidents/${encodeURIComponent(incidentId)}/evidence?${new URLSearchParams(q)}`,
    { type: 'application/octet-stream', data },
  );
  if (res.status !== 201)
    throw drillError(
      DrillErrorCodes.DRILL_HTTP_FAILED,
      `attach ${q.kind}: ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`,
    );
}

interface ForensicsInput {
  readonly ctx: PipelineContext;
  readonly incidentId: string;
  readonly release: PoisonedRelease;
  readonly from: string;
  readonly served: ReadonlyMap<string, number>;
  readonly dir: string;
}

async function impactCheck(f: ForensicsInput): Promise<{ passed: boolean; detail: string }> {
  const run = f.ctx.control.impact;
  if (!run)
    return {
      passed: false,
      detail: `not run: the drill has no access to the target's database (run \`aisoc impact --incident ${f.incidentId}\` there)`,
    };
  const out = join(f.dir, 'impact.jsonl');
  const s = await run({
    model: f.ctx.model,
    version: f.release.version,
    goodVersion: f.release.goodVersion,
    from: f.from,
    out,
  });
  const q = (kind: string, label: string, mediaType: string) => ({ kind, label, mediaType });
  await attach(
    f.ctx.defender,
    f.incidentId,
    q(
      'impact_summary',
      `impact summary of ${f.ctx.model}@${s.version} (for reports)`,
      'application/json',
    ),
    Buffer.from(JSON.stringify(s)),
  );
  await attach(
    f.ctx.defender,
    f.incidentId,
    q(
      'impact',
      `impact of ${f.ctx.model}@${s.version} re-scored on ${s.goodVersion}: ${s.flips} of ${s.decisions} decisions flip`,
      'application/x-ndjson',
    ),
    await readFile(out),
  );
  // Every clinic's answers from the poisoned version are there, each one once.
  const missing = [...f.served].filter(
    ([clinic, n]) => (s.byPrincipal[clinic]?.decisions ?? 0) !== n,
  );
  const clinicDecisions = [...f.served.values()].reduce((a, b) => a + b, 0);
  return {
    passed: missing.length === 0 && s.flips > 0 && s.decisions >= clinicDecisions,
    detail: `${s.decisions} decisions of ${s.version} re-scored on ${s.goodVersion}: ${s.flips} flip; ${clinicDecisions} from ${f.served.size} clinics (${missing.length} clinics miscounted), ${s.subjects} data subjects`,
  };
}

async function bundleCheck(f: ForensicsInput): Promise<{ passed: boolean; detail: string }> {
  const { defender } = f.ctx;
  const verifyEvidenceBundle = f.ctx.control.verifyBundle;
  if (!verifyEvidenceBundle)
    return { passed: false, detail: 'not run: the drill was given no bundle verifier' };
  const id = encodeURIComponent(f.incidentId);
  const bundle = await defender.post<{
    items: { digest: string; file: string }[];
    files: Record<string, string>;
  }>(`/api/v1/incidents/${id}/evidence/bundle`, { recipient: 'drill: supervisory authority' });
  const root = join(f.dir, 'bundle');
  const put = async (file: string, data: string | Uint8Array) => {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), data);
  };
  for (const item of bundle.items)
    await put(
      item.file,
      await defender.bytes(
        `/api/v1/evidence/${encodeURIComponent(item.digest)}/content?incident=${id}`,
      ),
    );
  for (const [file, text] of Object.entries(bundle.files)) await put(file, text);
  const intact = await verifyEvidenceBundle(root);
  const victim = bundle.items[0]?.file;
  if (!intact.ok || victim === undefined)
    return {
      passed: false,
      detail: `the bundle does not verify: ${intact.problems.map((p) => `${p.file} ${p.problem}`).join('; ') || 'no items'}`,
    };
  const bytes = await readFile(join(root, victim));
  const mid = bytes.length >> 1;
  bytes[mid] = bytes[mid]! ^ 1; // one bit of one byte in the middle
  await writeFile(join(root, victim), bytes);
  const broken = await verifyEvidenceBundle(root);
  const named = broken.problems.some((p) => p.file === victim);
  return {
    passed: !broken.ok && named,
    detail: `${intact.items} items and ${intact.entries} custody entries verify offline; one changed byte in ${victim} ${broken.ok ? 'STILL VERIFIES' : named ? 'fails, naming the file' : 'fails without naming the file'}`,
  };
}

async function reviewCheck(f: ForensicsInput): Promise<{ passed: boolean; detail: string }> {
  const id = encodeURIComponent(f.incidentId);
  const { awareAt, clocks } = await f.ctx.defender.get<{
    awareAt: string;
    clocks: { id: string; article: string; deadline: string | null }[];
  }>(`/api/v1/incidents/${id}/clocks`);
  const due = (hours: number) => new Date(Date.parse(awareAt) + hours * HOUR).toISOString();
  const want: [string, string][] = [
    ['gdpr-art33', due(72)],
    ['ai-act-art73-general', due(15 * 24)],
  ];
  const wrong = want.filter(
    ([cid, deadline]) => clocks.find((c) => c.id === cid)?.deadline !== deadline,
  );
  const md = Buffer.from(
    await f.ctx.defender.bytes(`/api/v1/incidents/${id}/report?format=md`),
  ).toString('utf8');
  const drafts = ['GDPR Art. 33(1)', 'GDPR Art. 34(1)', 'EU AI Act Art. 73(2)'].filter(
    (a) => !md.includes(`DRAFT: notification under ${a}`),
  );
  const affected = /Affected decisions: \d+/.test(md);
  return {
    passed: wrong.length === 0 && drafts.length === 0 && affected,
    detail: `aware ${awareAt}; GDPR Art. 33(1) due ${due(72)}, EU AI Act Art. 73(2) due ${due(15 * 24)}${wrong.length ? ` (WRONG: ${wrong.map(([c]) => c).join(', ')})` : ''}; drafts ${drafts.length ? `MISSING ${drafts.join(', ')}` : 'GDPR 33, 34, AI Act 73'}; affected decisions ${affected ? 'listed' : 'MISSING'}`,
  };
}

async function exportsCheck(f: ForensicsInput): Promise<{ passed: boolean; detail: string }> {
  const id = encodeURIComponent(f.incidentId);
  const stix = await f.ctx.defender.get<{
    type: string;
    objects: {
      type: string;
      id: string;
      spec_version?: string;
      source_ref?: string;
      target_ref?: string;
      external_references?: { source_name: string; external_id?: string }[];
    }[];
  }>(`/api/v1/incidents/${id}/export?format=stix`);
  const ids = new Set(stix.objects.map((o) => o.id));
  const types = new Set(stix.objects.map((o) => o.type));
  const dangling = stix.objects.filter(
    (o) =>
      o.type === 'relationship' && !(ids.has(o.source_ref ?? '') && ids.has(o.target_ref ?? '')),
  );
  const atlas = stix.objects.some(
    (o) =>
      o.type === 'attack-pattern' &&
      o.external_references?.some(
        (r) => r.source_name === 'mitre-atlas' && r.external_id === ATLAS.poisonTrainingData,
      ),
  );
  const stixOk =
    stix.type === 'bundle' &&
    ['incident', 'attack-pattern', 'relationship'].every((t) => types.has(t)) &&
    stix.objects.every(
      (o) => o.spec_version === '2.1' && /^[a-z0-9-]+--[0-9a-f-]{36}$/.test(o.id),
    ) &&
    dangling.length === 0 &&
    atlas;
  const ocsf = Buffer.from(await f.ctx.defender.bytes(`/api/v1/incidents/${id}/export?format=ocsf`))
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .map(
      (l) =>
        JSON.parse(l) as {
          class_uid?: number;
          type_uid?: number;
          metadata?: { correlation_uid?: string };
        },
    );
  const ocsfOk =
    ocsf.length > 0 &&
    ocsf.every(
      (o) =>
        o.class_uid === 2004 &&
        o.type_uid === 200401 &&
        o.metadata?.correlation_uid === f.incidentId,
    );
  return {
    passed: stixOk && ocsfOk,
    detail: `STIX 2.1 bundle of ${stix.objects.length} objects (${[...types].sort().join(', ')}; ATLAS AML.T0020 ${atlas ? 'referenced' : 'MISSING'}, ${dangling.length} dangling relationships) ${stixOk ? 'ok' : 'INVALID'}; OCSF Detection Finding (2004) x${ocsf.length} ${ocsfOk ? 'ok' : 'INVALID'}`,
  };
}

function driftAlert(watch: AlertWatch, model: string, after: number) {
  return watch
    .alerts()
    .filter(
      (a) => a.model === model && a.detector === 'output-drift' && Date.parse(a.time) >= after,
    )
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time))[0];
}

/**
 * The poisoned-version attack: profile the known-good version, release the poisoned one as an
 * insider, serve the clinics until the output-drift alert (and at least 200 decisions), let
 * the playbook roll back, then run the forensics and score each step.
 */
export async function runPoisonedVersion(ctx: PipelineContext): Promise<PipelineOutcome> {
  const release = ctx.control.poisonedRelease;
  if (!release)
    throw drillError(
      DrillErrorCodes.DRILL_CONTROL_MISSING,
      `poisoning (poisoned-version): the target must serve a poisoned version of ${ctx.model} beside its known-good one (aisoc drill all sets one up as drill-triage)`,
    );
  const keys = await clinicKeys(ctx);
  // The insider checks its release with a key of its own, so clinics' counts stay exact.
  const own = await ctx.apiKey();
  const watch = ctx.watch(ctx.model);
  const pool = [...ctx.data.natural, ...ctx.data.holdout];
  for (let r = 0; r < PROFILE_REQUESTS; r++) {
    const at = (r * PROFILE_ROWS) % (pool.length - PROFILE_ROWS);
    const res = await infer(ctx, keys[r % CLINICS]![1], pool.slice(at, at + PROFILE_ROWS));
    if (res.version !== release.goodVersion)
      throw drillError(
        DrillErrorCodes.DRILL_RESPONSE_INVALID,
        `poisoning: ${ctx.model} answered with version ${res.version} (status ${res.status}) before the release; expected ${release.goodVersion}`,
      );
  }
  ctx.progress(
    `poisoning: ${PROFILE_REQUESTS * PROFILE_ROWS} answers of ${ctx.model}@${release.goodVersion} profiled`,
  );
  const startedAt = Date.now();
  const from = new Date(startedAt - 1000).toISOString();
  await ctx.admin.post('/api/v1/actions', {
    action: { kind: 'pin_version', model: ctx.model, version: release.version },
    reason: `release ${release.version} (drill: a poisoned retrain, unknown to the defender)`,
  });
  await untilServing(ctx, own, release.version, 10_000);
  const answers: Answer[] = [];
  let alert = driftAlert(watch, ctx.model, startedAt);
  for (let i = 0; answers.length < MAX_ANSWERS && (i < DECISIONS || alert === undefined); i++) {
    const [clinic, key] = keys[i % CLINICS]!;
    const sentAt = Date.now();
    const res = await infer(ctx, key, [ctx.data.holdout[i % ctx.data.holdout.length]!], {
      patient_id: `patient-${i % SUBJECTS}`,
    });
    answers.push({ clinic, sentAt, answeredAt: Date.now(), version: res.version });
    alert ??= driftAlert(watch, ctx.model, startedAt);
    if (i >= DECISIONS) await sleep(20);
  }
  alert ??= await until(() => driftAlert(watch, ctx.model, startedAt), ctx.settleMs);
  const poisoned = answers.filter((a) => a.version === release.version);
  const alertAt = alert ? Date.parse(alert.time) : null;
  const beforeAlert =
    alertAt === null ? null : poisoned.filter((a) => a.answeredAt <= alertAt).length;
  ctx.progress(
    `poisoning: ${poisoned.length} answers of ${release.version} served; ${alert ? `output-drift alert after ${beforeAlert}` : 'NO output-drift alert'}`,
  );
  const served = new Map<string, number>();
  for (const a of poisoned) served.set(a.clinic, (served.get(a.clinic) ?? 0) + 1);

  let contained: PipelineOutcome['contained'] = null;
  const forensics: ForensicsCheck[] = [
    {
      check: 'output drift: answers to alert',
      passed: alert !== undefined,
      detail:
        alert === undefined
          ? `no output-drift alert after ${poisoned.length} answers of ${release.version}`
          : `${beforeAlert} answers of ${release.version} reached clinics in ${((alertAt! - startedAt) / 1000).toFixed(2)} s before the alert`,
    },
  ];
  if (alert !== undefined) {
    const rollback = await approveRollback(ctx.defender, alert.id, ctx.settleMs * 2).catch(
      (error: unknown) => {
        ctx.progress(`poisoning: approving the rollback failed: ${(error as Error).message}`);
        return null;
      },
    );
    if (rollback?.approved) {
      const at = await untilServing(ctx, own, release.goodVersion, ctx.settleMs * 2);
      if (at !== undefined) contained = { at, status: null };
    }
    forensics.push({
      check: 'rollback',
      passed: contained !== null,
      detail: !rollback
        ? 'no incident holds the alert'
        : !rollback.approved
          ? `incident ${rollback.incidentId}: no data-poisoning approval to give (runs: ${rollback.runs})`
          : contained
            ? `approved as ml-lead; ${release.goodVersion} answers again ${((contained.at - startedAt) / 1000).toFixed(2)} s after the release`
            : `approved as ml-lead, but ${release.goodVersion} does not answer`,
    });
    if (rollback) {
      const dir = await mkdtemp(join(tmpdir(), 'aisoc-drill-forensics-'));
      try {
        const f = { ctx, incidentId: rollback.incidentId, release, from, served, dir };
        forensics.push(await check('impact', () => impactCheck(f)));
        forensics.push(await check('evidence bundle', () => bundleCheck(f)));
        forensics.push(await check('review and deadlines', () => reviewCheck(f)));
        forensics.push(await check('STIX and OCSF', () => exportsCheck(f)));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  return {
    startedAt,
    requests: PROFILE_REQUESTS + answers.length + 1,
    subject: `model:${ctx.model}`,
    matches: (a) =>
      a.model === ctx.model && a.detector === 'output-drift' && Date.parse(a.time) >= startedAt,
    contained,
    containment: `the known-good version ${release.goodVersion} pinned by the data-poisoning playbook (approved by the drill as ml-lead)`,
    achieved: {
      queries: poisoned.length,
      poisonedAnswers: poisoned.length,
      ...(beforeAlert === null ? {} : { answersBeforeAlert: beforeAlert }),
    },
    forensics,
  };
}

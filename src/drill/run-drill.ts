import {
  createBenignKeys,
  createDrillAdmin,
  createDrillKey,
  createDrillKeyWithId,
  newDrillRun,
  type DrillAdmin,
} from './admin-client.js';
import { benignOutcome, startBenignLoad } from './benign-load.js';
import type { DrillData } from './drill-data.js';
import { createHttpTarget, type HttpTarget } from './http-target.js';
import { responseTo, watchAlerts, type SeenAlert } from './observe.js';
import type { DrillControl } from './pipeline.js';
import { runPipelineDrill } from './run-pipeline.js';
import { drillStages, every, type DrillTick } from './progress.js';
import { attackNamed, scenarioNamed, type Achieved, type Scenario } from './scenarios.js';
import type { Scorecard } from './scorecard.js';

export interface DrillOptions {
  readonly gatewayUrl: string;
  readonly adminUrl: string;
  readonly adminToken: string;
  readonly model: string;
  readonly data: DrillData;
  /** Which of the scenario's attacks to run (default: its first; see `scenarioNamed(name).attacks`). */
  readonly attack?: string;
  readonly seed?: number;
  /** Extraction: queries; evasion: queries per input. Defaults 300 and 120. */
  readonly budget?: number;
  /** Evasion: inputs to push across the boundary; default 5. */
  readonly inputs?: number;
  /** Benign principals sending throughout; default 4. */
  readonly benignPrincipals?: number;
  /** Benign traffic before the attack starts; default 500 ms. */
  readonly warmupMs?: number;
  /** How long to keep watching after the attack for detection and containment; default 5 s. */
  readonly settleMs?: number;
  readonly onProgress?: (line: string) => void;
  /** Called as the drill moves on (about every 200 ms while attacking), for a progress bar. */
  readonly onTick?: DrillTick;
  /** Tampering: the upstream or artifact file the drill may alter (see DrillControl). */
  readonly control?: DrillControl;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one scenario against a running aisoc from the outside (its own API keys, HTTP only)
 * with benign principals sending throughout, and scores how the defender did.
 */
export async function runDrill(name: string, o: DrillOptions): Promise<Scorecard> {
  const named = scenarioNamed(name);
  const attack = attackNamed(named, o.attack);
  if (named.kind === 'pipeline') return runPipelineDrill(named, attack, o);
  const scenario: Scenario = named;
  const seed = o.seed ?? 7;
  const progress = o.onProgress ?? (() => {});
  const stages = drillStages(o.onTick, name, { keys: 1, warmup: 1, attack: 6, settle: 2 });
  stages.at('keys');
  const admin = createDrillAdmin(o.adminUrl, o.adminToken);
  const run = newDrillRun();
  const attacker = `drill-${name}-attacker-${run}`;
  const benignKeys = await createBenignKeys(admin, {
    scenario: name,
    run,
    model: o.model,
    count: o.benignPrincipals ?? 4,
  });
  const { id: attackerKeyId, secret: attackerKey } = await createDrillKeyWithId(
    admin,
    attacker,
    o.model,
  );
  for (const key of [attackerKey, ...benignKeys.values()]) await untilKeyWorks(o, key);
  progress(`${name}: keys ready; benign traffic from ${benignKeys.size} principals`);

  const alerts = watchAlerts(admin, o.model);
  const benign = startBenignLoad({ ...o, keys: benignKeys, seed });
  stages.at('warmup', 0, 'benign traffic warming up');
  await sleep(o.warmupMs ?? 500);
  const target = createHttpTarget({
    gatewayUrl: o.gatewayUrl,
    model: o.model,
    apiKey: attackerKey,
    isContained: () => keyContained(admin, attackerKeyId),
  });
  const startedAt = Date.now();
  progress(`${name}: attack ${attack} started`);
  let achieved: Achieved;
  const budget = o.budget ?? (name === 'extraction' ? 300 : 120);
  const inputs = o.inputs ?? 5;
  // Evasion attacks may finish an input early, so the bar can jump ahead: it is a guide.
  const planned = name === 'extraction' ? budget : budget * inputs;
  const stopTicking = every(200, () => {
    const sent = target.answered.length;
    stages.at('attack', sent / planned, `${attack}, ${sent} queries answered`);
  });
  try {
    achieved = await scenario.run(target, {
      data: o.data,
      seed,
      budget,
      inputs,
      attack,
      targetLabels: () => oracleLabels(admin, o, run),
    });
    stopTicking();
    progress(`${name}: attack ended after ${achieved.queries} answered queries`);
    stages.at('settle', 0, 'waiting for detection and containment');
    await settle(o, target, attacker, alerts.first, progress);
    stages.at('settle', 1, 'scoring');
  } finally {
    stopTicking();
    await benign.stop();
    await alerts.stop();
  }
  const response = await settledResponse(
    // Only the runs started for the attacker's key: the incident may also hold the oracle's
    // labelling queries, which look like extraction too.
    () => responseTo(admin, attacker, [], attackerKeyId),
    o.settleMs ?? 5000,
  );
  return scorecardOf({
    name,
    attack,
    o,
    attacker,
    startedAt,
    target,
    achieved,
    response,
    benign,
    alerts,
  });
}

/** Waits until the gateway has loaded a new key: an empty body answers 400, not 401. */
async function untilKeyWorks(o: DrillOptions, apiKey: string): Promise<void> {
  const url = `${o.gatewayUrl.replace(/\/$/, '')}/v2/models/${encodeURIComponent(o.model)}/infer`;
  for (let i = 0; i < 100; i += 1) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    await res.arrayBuffer();
    if (res.status !== 401) return;
    await sleep(50);
  }
}

/**
 * After the attack: the attacker keeps probing (one row every 200 ms) until it is blocked or
 * `settleMs` passes, so a containment applied after the last attack query is still timed.
 */
async function settle(
  o: DrillOptions,
  target: HttpTarget,
  attacker: string,
  firstAlert: (p: string) => SeenAlert | undefined,
  progress: (line: string) => void,
): Promise<void> {
  const until = Date.now() + (o.settleMs ?? 5000);
  const probe = o.data.natural[0]!;
  while (Date.now() < until && target.blocked === null) {
    await target.query([probe]).catch(() => undefined);
    await sleep(200);
  }
  while (Date.now() < until && firstAlert(attacker) === undefined) await sleep(100);
  progress(
    `${o.model}: ${target.blocked ? `attacker blocked (${target.blocked.status})` : 'attacker never blocked'}`,
  );
}

/**
 * The response once the playbooks stop moving: the same runs and open tasks on four polls in
 * a row (they are then done or waiting for a person), or whatever stands after `maxMs`.
 */
async function settledResponse<T>(read: () => Promise<T>, maxMs: number): Promise<T> {
  const end = Date.now() + maxMs;
  let last = await read();
  let same = 0;
  while (same < 3 && Date.now() < end) {
    await sleep(200);
    const next = await read();
    same = JSON.stringify(next) === JSON.stringify(last) ? same + 1 : 0;
    last = next;
  }
  return last;
}

/** Whether an active containment action constrains the key (the admin view of a 429). */
async function keyContained(admin: DrillAdmin, keyId: string): Promise<boolean> {
  const { actions } = await admin.get<{ actions: { action: { keyId?: string } }[] }>(
    '/api/v1/actions?active=true',
  );
  return actions.some((a) => a.action.keyId === keyId);
}

/** The target's labels on the holdout, asked by a separate throw-away key. */
async function oracleLabels(admin: DrillAdmin, o: DrillOptions, run: string): Promise<number[]> {
  const key = await createDrillKey(admin, `drill-oracle-${run}`, o.model);
  await untilKeyWorks(o, key);
  const oracle = createHttpTarget({ gatewayUrl: o.gatewayUrl, model: o.model, apiKey: key });
  return (await oracle.query(o.data.holdout)).labels;
}

function scorecardOf(r: {
  name: string;
  attack: string;
  o: DrillOptions;
  attacker: string;
  startedAt: number;
  target: HttpTarget;
  achieved: Achieved;
  response: Awaited<ReturnType<typeof responseTo>>;
  benign: ReturnType<typeof startBenignLoad>;
  alerts: ReturnType<typeof watchAlerts>;
}): Scorecard {
  const first = r.alerts.first(r.attacker);
  const alertAt = first ? Date.parse(first.time) || first.seenAt : null;
  const mine = r.alerts.alerts().filter((a) => a.principal === r.attacker);
  const blocked = r.target.blocked;
  const scenario = scenarioNamed(r.name);
  return {
    scenario: r.name,
    kind: 'query',
    model: r.o.model,
    attack: `${r.name}.${r.attack}`,
    atlas: [...scenario.atlas],
    attacker: r.attacker,
    detected: first !== undefined,
    queriesToDetect:
      alertAt === null
        ? null
        : r.target.requests.filter((q) => q.sentAt <= alertAt).reduce((n, q) => n + q.rows, 0),
    secondsToDetect: alertAt === null ? null : Math.max(0, alertAt - r.startedAt) / 1000,
    detectors: [...new Set(mine.map((a) => a.detector))],
    contained: blocked !== null,
    containment: "the attacker's key blocked at the gateway (403/429)",
    secondsToContain: blocked === null ? null : (blocked.at - r.startedAt) / 1000,
    containedWith: blocked?.status ?? null,
    attackerThrottled: r.target.throttled,
    incidents: r.response.incidents,
    incidentTimeToContainMs: r.response.incidentTimeToContainMs,
    playbooks: r.response.playbooks,
    waitingForPerson: r.response.waitingForPerson,
    ...benignOutcome(r.benign, r.alerts.alerts()),
    achieved: r.achieved,
    passed: first !== undefined && blocked !== null,
  };
}

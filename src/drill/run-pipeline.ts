import {
  createBenignKeys,
  createDrillAdmin,
  createDrillIdentity,
  createDrillKey,
  newDrillRun,
  revokeDrillIdentity,
} from './admin-client.js';
import { benignOutcome, startBenignLoad } from './benign-load.js';
import { responseTo, watchAlerts, type SeenAlert } from './observe.js';
import type { AlertWatch, PipelineOutcome, PipelineScenario } from './pipeline.js';
import { sleep, until } from './pipeline.js';
import { drillStages } from './progress.js';
import type { DrillOptions } from './run-drill.js';
import type { Scorecard } from './scorecard.js';

/**
 * Runs a scenario that attacks the ML pipeline (data audit, registry, artifacts) rather than
 * the inference API, with benign principals querying the model throughout, and scores it.
 */
export async function runPipelineDrill(
  scenario: PipelineScenario,
  attack: string,
  o: DrillOptions,
): Promise<Scorecard> {
  const seed = o.seed ?? 7;
  const settleMs = o.settleMs ?? 5000;
  const progress = o.onProgress ?? (() => {});
  const stages = drillStages(o.onTick, scenario.name, { keys: 1, warmup: 1, attack: 4, settle: 4 });
  stages.at('keys');
  const run = newDrillRun();
  const attacker = `drill-${scenario.name}-attacker-${run}`;
  const admin = createDrillAdmin(o.adminUrl, o.adminToken);
  // An insider with the admin role: admission must refuse a bad model whoever approves it.
  const asAttacker = createDrillAdmin(
    o.adminUrl,
    await createDrillIdentity(admin, attacker, 'admin'),
  );
  const benignKeys = await createBenignKeys(admin, {
    scenario: scenario.name,
    run,
    model: o.model,
    count: o.benignPrincipals ?? 4,
  });
  const watches: AlertWatch[] = [watchAlerts(admin, o.model)];
  const seen = (): SeenAlert[] => watches.flatMap((w) => w.alerts());
  const benign = startBenignLoad({ ...o, keys: benignKeys, seed });
  let outcome: PipelineOutcome;
  let response: Awaited<ReturnType<typeof responseTo>>;
  let mine: SeenAlert[] = [];
  try {
    stages.at('warmup', 0, 'benign traffic warming up');
    await sleep(o.warmupMs ?? 500);
    progress(`${scenario.name}: attack ${attack} started`);
    stages.at('attack', 0, attack);
    outcome = await scenario.run({
      admin: asAttacker,
      defender: admin,
      gatewayUrl: o.gatewayUrl,
      model: o.model,
      data: o.data,
      seed,
      attack,
      attacker,
      run,
      control: o.control ?? {},
      settleMs,
      apiKey: () => createDrillKey(admin, attacker, o.model),
      watch: (model) => {
        const w = watchAlerts(admin, model);
        watches.push(w);
        return w;
      },
      progress,
    });
    stages.at('settle', 0, 'waiting for detection and the playbook');
    const matched = () => seen().filter((a) => outcome.matches(a));
    await until(() => (matched().length > 0 ? true : undefined), settleMs);
    mine = matched();
    // The playbook runs once the incident opens: wait for it (its steps may wait for people).
    const ids = mine.map((a) => a.id);
    response = await responseTo(admin, attacker, ids, outcome.subject);
    if (ids.length > 0)
      response =
        (await until(async () => {
          const r = await responseTo(admin, attacker, ids, outcome.subject);
          return r.playbooks.length > 0 ? r : undefined;
        }, settleMs)) ?? response;
  } finally {
    await benign.stop();
    for (const w of watches) await w.stop();
    await revokeDrillIdentity(admin, attacker).catch(() => undefined);
  }
  stages.at('settle', 1, 'scoring');
  const first = [...mine].sort((a, b) => Date.parse(a.time) - Date.parse(b.time))[0];
  const alertAt = first ? Date.parse(first.time) || first.seenAt : null;
  const contained = outcome.contained;
  progress(
    `${scenario.name}: ${first ? 'detected' : 'NOT detected'}, ${contained ? 'contained' : 'NOT contained'}`,
  );
  return {
    scenario: scenario.name,
    kind: 'pipeline',
    model: o.model,
    attack: `${scenario.name}.${attack}`,
    atlas: [...scenario.atlas],
    attacker,
    detected: first !== undefined,
    queriesToDetect:
      alertAt !== null && outcome.queriesToAlert ? outcome.queriesToAlert(alertAt) : null,
    secondsToDetect: alertAt === null ? null : Math.max(0, alertAt - outcome.startedAt) / 1000,
    detectors: [...new Set(mine.map((a) => a.detector))],
    contained: contained !== null,
    containment: outcome.containment ?? scenario.containment,
    secondsToContain:
      contained === null ? null : Math.max(0, contained.at - outcome.startedAt) / 1000,
    containedWith: contained?.status ?? null,
    attackerThrottled: 0,
    incidents: response.incidents,
    incidentTimeToContainMs: response.incidentTimeToContainMs,
    playbooks: response.playbooks,
    waitingForPerson: response.waitingForPerson,
    ...benignOutcome(benign, seen()),
    achieved: outcome.achieved,
    ...(outcome.forensics ? { forensics: outcome.forensics } : {}),
    passed:
      first !== undefined &&
      contained !== null &&
      response.playbooks.length > 0 &&
      (outcome.forensics ?? []).every((f) => f.passed),
  };
}

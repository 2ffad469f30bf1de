import type { DrillAdmin } from './admin-client.js';

/** The fields of an alert the drill reads (GET /api/v1/alerts). */
export interface SeenAlert {
  readonly id: string;
  readonly time: string;
  readonly detector: string;
  readonly kind: string;
  readonly model: string | null;
  readonly principal: string | null;
  readonly atlasTechniques: string[];
  /** Wall time the drill first saw it. */
  readonly seenAt: number;
}

/** Polls the alerts of one model and keeps each alert once, with when it was first seen. */
export function watchAlerts(admin: DrillAdmin, model: string, everyMs = 150) {
  const seen = new Map<string, SeenAlert>();
  const poll = async () => {
    const { alerts } = await admin.get<{ alerts: Omit<SeenAlert, 'seenAt'>[] }>(
      `/api/v1/alerts?model=${encodeURIComponent(model)}&limit=1000`,
    );
    const now = Date.now();
    for (const a of alerts) if (!seen.has(a.id)) seen.set(a.id, { ...a, seenAt: now });
  };
  let failure: unknown = null;
  const timer = setInterval(() => void poll().catch((e: unknown) => (failure ??= e)), everyMs);
  return {
    poll,
    alerts: (): SeenAlert[] => [...seen.values()],
    /** The earliest alert naming `principal` (by event time), if any. */
    first(principal: string): SeenAlert | undefined {
      return [...seen.values()]
        .filter((a) => a.principal === principal)
        .sort((a, b) => Date.parse(a.time) - Date.parse(b.time))[0];
    },
    async stop() {
      clearInterval(timer);
      await poll();
      if (failure) throw failure;
    },
  };
}

interface IncidentView {
  id: string;
  principals: string[];
  alertIds: string[];
  timeToContainMs: number | null;
}

interface IncidentDetail {
  runs: { id: string; playbookId: string; status: string; subject?: string | null }[];
  tasks: {
    kind: string;
    title: string;
    status: string;
    stepId?: string | null;
    runId?: string | null;
  }[];
}

/** What the respond side did about one principal: incidents, playbooks, steps left to people. */
export interface Response {
  readonly incidents: string[];
  readonly playbooks: string[];
  readonly waitingForPerson: string[];
  readonly incidentTimeToContainMs: number | null;
}

/**
 * The response to the incidents naming `principal`, or holding one of the given alert ids;
 * with `subject`, only the playbook runs started for it (an incident may hold other attacks).
 */
export async function responseTo(
  admin: DrillAdmin,
  principal: string,
  alertIds: readonly string[] = [],
  subject?: string,
): Promise<Response> {
  const { incidents } = await admin.get<{ incidents: IncidentView[] }>(
    '/api/v1/incidents?limit=500',
  );
  const mine = incidents.filter(
    (i) => i.principals.includes(principal) || i.alertIds.some((a) => alertIds.includes(a)),
  );
  const playbooks = new Set<string>();
  const waiting: string[] = [];
  for (const incident of mine) {
    const d = await admin.get<IncidentDetail>(
      `/api/v1/incidents/${encodeURIComponent(incident.id)}`,
    );
    const runs = d.runs.filter((r) => subject === undefined || r.subject === subject);
    const runIds = new Set(runs.map((r) => r.id));
    for (const r of runs) playbooks.add(r.playbookId);
    for (const t of d.tasks)
      if (t.status === 'open' && (subject === undefined || (t.runId && runIds.has(t.runId))))
        waiting.push(`${t.kind}${t.stepId ? ` ${t.stepId}` : ''}: ${t.title}`);
  }
  const ttc = mine.map((i) => i.timeToContainMs).filter((v): v is number => v !== null);
  return {
    incidents: mine.map((i) => i.id),
    playbooks: [...playbooks],
    waitingForPerson: waiting,
    incidentTimeToContainMs: ttc.length > 0 ? Math.min(...ttc) : null,
  };
}

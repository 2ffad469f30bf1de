import type { AisocConfig } from '../config/index.js';
import type { ImpactSummary } from '../forensics/index.js';
import { buildReview, fairnessFromAlerts, type Review, type ReviewInput } from '../report/index.js';
import type { Responder } from '../respond/index.js';

/**
 * The review of an incident from the record: the responder's detail, the impact summaries
 * attached as evidence (`aisoc impact --incident`), and the assets' regulation tags.
 */
export async function incidentReview(
  config: Readonly<AisocConfig>,
  responder: Responder,
  id: string,
  now = Date.now(),
): Promise<Review> {
  const detail = await responder.detail(id);
  const impact: ImpactSummary[] = [];
  for (const item of detail.evidence.filter((e) => e.kind === 'impact_summary')) {
    const { bytes } = await responder.evidenceContent(item.digest, 'aisoc:report', id);
    impact.push(JSON.parse(Buffer.from(bytes).toString('utf8')) as ImpactSummary);
  }
  const incident = detail.incident;
  const input: ReviewInput = {
    incident,
    metrics: detail.metrics,
    techniques: detail.techniques.map((t) => ({
      id: t.id,
      name: (t as { name?: string }).name,
    })),
    owasp: detail.owasp,
    alerts: detail.alerts,
    timeline: detail.timeline,
    tasks: detail.tasks,
    evidence: detail.evidence,
    actions: detail.actions,
    impact,
    assets: config.models
      .filter((m) => incident.assets.includes(m.id))
      .map((m) => ({
        id: m.id,
        regulations: m.regulations,
        criticality: m.criticality,
        tags: m.tags,
      })),
    contact: incident.assignee ?? 'the SOC on duty (no assignee set)',
    fairness: fairnessFromAlerts(detail.alerts),
  };
  return buildReview(input, now);
}

/** Published when a notification clock of an open incident has less than 25 % of its time left. */
export const DEADLINE_AT_RISK = 'report.deadline.at_risk';

/**
 * Checks the clocks of every open incident once: each armed clock with less than 25 % of its
 * time left (or overdue) fires once, as a `deadline_at_risk` timeline entry and a bus message.
 * Returns what fired.
 */
export async function checkDeadlines(
  config: Readonly<AisocConfig>,
  responder: Responder,
  publish: (subject: string, data: unknown) => Promise<void>,
  now = Date.now(),
): Promise<{ incidentId: string; clockId: string; deadline: string | null }[]> {
  const fired = [];
  for (const incident of await responder.incidents.list({ open: true, limit: 10_000 })) {
    const regulated = config.models.some(
      (m) => incident.assets.includes(m.id) && m.regulations.length > 0,
    );
    if (!regulated) continue;
    const review = await incidentReview(config, responder, incident.id, now);
    const done = new Set(
      review.timeline
        .filter((t) => t.type === 'deadline_at_risk')
        .map((t) => String(t.data.clockId)),
    );
    for (const clock of review.clocks) {
      if (
        !clock.armed ||
        (clock.status !== 'at_risk' && clock.status !== 'overdue') ||
        done.has(clock.id)
      )
        continue;
      const data = {
        clockId: clock.id,
        article: clock.article,
        audience: clock.audience,
        deadline: clock.deadline,
        status: clock.status,
      };
      await responder.incidents.record(incident.id, 'deadline_at_risk', 'aisoc:report', data);
      await publish(DEADLINE_AT_RISK, { incidentId: incident.id, ...data });
      fired.push({ incidentId: incident.id, clockId: clock.id, deadline: clock.deadline });
    }
  }
  return fired;
}

/** Runs `checkDeadlines` every `intervalMs` (default a minute); returns its stop function. */
export function startDeadlineWatch(
  config: Readonly<AisocConfig>,
  responder: Responder,
  publish: (subject: string, data: unknown) => Promise<void>,
  log: (line: string) => void,
  intervalMs = 60_000,
): () => Promise<void> {
  const timer = setInterval(
    () =>
      void checkDeadlines(config, responder, publish).catch((e) =>
        log(`deadline watch: ${(e as Error).message}`),
      ),
    intervalMs,
  );
  timer.unref();
  return async () => clearInterval(timer);
}

import type { Alert } from '../core/index.js';
import type { Incident } from './incident.js';
import type { RespondRepository } from './respond-repository.js';
import { runSubject } from './subject.js';

/** What moved with the alerts when an incident was split. */
export interface SplitMoves {
  runIds: string[];
  evidenceIds: string[];
  /**
   * The time to contain measured on an action of a moved run (on this incident, or on one
   * merged into it), or null when no moved run contained anything.
   */
  timeToContainMs: number | null;
  /** Whether that measurement was this incident's own (it then leaves with the runs). */
  ownTiming: boolean;
}

/**
 * Moves, with the alerts split out, the playbook runs those alerts started (a run is about
 * one subject: see `runSubject`) unless an alert that stays names the same subject, and with
 * each run its tasks and the evidence it collected. Runs whose subject stays keep to `from`.
 */
export async function moveRunsWithAlerts(
  repo: RespondRepository,
  from: Incident,
  to: string,
  moving: readonly Alert[],
  staying: readonly Alert[],
): Promise<SplitMoves> {
  const leaving = new Set(moving.map(runSubject));
  const remaining = new Set(staying.map(runSubject));
  const runs = (await repo.listRuns({ incidentId: from.id })).filter(
    (r) => leaving.has(r.subject ?? null) && !remaining.has(r.subject ?? null),
  );
  const evidence = await repo.listEvidence(from.id);
  const moves: SplitMoves = {
    runIds: [],
    evidenceIds: [],
    timeToContainMs: null,
    ownTiming: false,
  };
  const actionIds = new Set<string>();
  for (const run of runs) {
    const steps = await repo.stepRecords(run.id);
    // A step's result holds its outcome and data: `digests` (evidence), `actionId` (contain).
    const digests = new Set(
      steps.flatMap((s) => (Array.isArray(s.result.digests) ? (s.result.digests as string[]) : [])),
    );
    for (const s of steps)
      if (typeof s.result.actionId === 'string') actionIds.add(s.result.actionId);
    const ids = evidence.filter((e) => digests.has(e.digest)).map((e) => e.id);
    await repo.moveRun(run.id, to);
    await repo.moveEvidence(ids, to);
    moves.runIds.push(run.id);
    moves.evidenceIds.push(...ids);
  }
  if (actionIds.size > 0) {
    const merged = (await repo.listIncidents({ limit: 1000 })).filter(
      (i) => i.mergedInto === from.id,
    );
    for (const incident of [from, ...merged]) {
      const entry = (await repo.timeline(incident.id)).find(
        (t) => t.type === 'containment_enforced' && actionIds.has(t.data.actionId as string),
      );
      if (entry && typeof entry.data.timeToContainMs === 'number') {
        moves.timeToContainMs = entry.data.timeToContainMs;
        moves.ownTiming = incident.id === from.id;
        break;
      }
    }
  }
  return moves;
}

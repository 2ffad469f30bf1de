import type { Kysely } from 'kysely';
import type { RegistryDatabase } from './schema.js';
import { json, toDeployment, toStateChange } from './row-mapping.js';
import type { Deployment, StateChange, StoredFingerprint } from './types.js';

/** Insert-only rows of what happened to versions: state changes, deployments, fingerprints. */
export interface HistoryRows {
  insertStateChange(c: StateChange): Promise<void>;
  /** Oldest first. */
  stateHistory(subjectId: string): Promise<StateChange[]>;
  insertDeployment(d: Omit<Deployment, 'until'>): Promise<void>;
  /** Every deployment on the endpoint, oldest first, each with the time the next began. */
  deployments(endpoint: string): Promise<Deployment[]>;
  /** Every deployment, on any endpoint, of any of these versions (with `until`). */
  deploymentsOf(versionIds: readonly string[]): Promise<Deployment[]>;
  endpoints(): Promise<string[]>;
  insertFingerprint(f: StoredFingerprint): Promise<void>;
  /** The latest fingerprint of each version that has one. */
  latestFingerprints(): Promise<StoredFingerprint[]>;
}

export function createHistoryRows(db: Kysely<RegistryDatabase>): HistoryRows {
  const endpointDeployments = async (endpoint: string): Promise<Deployment[]> => {
    const rows = await db
      .selectFrom('registry_deployments')
      .selectAll()
      .where('endpoint', '=', endpoint)
      .orderBy('at')
      .orderBy('id')
      .execute();
    return rows.map((r, i) => toDeployment(r, rows[i + 1]?.at ?? null));
  };
  return {
    insertStateChange: async (c) => {
      await db
        .insertInto('registry_state_changes')
        .values({
          id: c.id,
          subject_kind: c.subjectKind,
          subject_id: c.subjectId,
          state: c.state,
          reason: c.reason,
          actor: c.actor,
          details: json(c.details),
          at: c.at,
        })
        .execute();
    },
    stateHistory: async (subjectId) =>
      (
        await db
          .selectFrom('registry_state_changes')
          .selectAll()
          .where('subject_id', '=', subjectId)
          .orderBy('at')
          .orderBy('id')
          .execute()
      ).map(toStateChange),
    insertDeployment: async (d) => {
      await db
        .insertInto('registry_deployments')
        .values({
          id: d.id,
          endpoint: d.endpoint,
          model_id: d.modelId,
          version_id: d.versionId,
          reason: d.reason,
          actor: d.actor,
          action_id: d.actionId,
          at: d.at,
        })
        .execute();
    },
    deployments: endpointDeployments,
    deploymentsOf: async (versionIds) => {
      if (versionIds.length === 0) return [];
      const endpoints = await db
        .selectFrom('registry_deployments')
        .select('endpoint')
        .distinct()
        .where('version_id', 'in', versionIds)
        .execute();
      const all = await Promise.all(endpoints.map((e) => endpointDeployments(e.endpoint)));
      return all.flat().filter((d) => d.versionId !== null && versionIds.includes(d.versionId));
    },
    insertFingerprint: async (f) => {
      await db
        .insertInto('registry_fingerprints')
        .values({
          id: f.id,
          version_id: f.versionId,
          probes: json(f.probes),
          tolerance: f.tolerance,
          recorded_at: f.recordedAt,
          recorded_by: f.recordedBy,
        })
        .execute();
    },
    latestFingerprints: async () => {
      const rows = await db
        .selectFrom('registry_fingerprints')
        .selectAll()
        .orderBy('recorded_at')
        .orderBy('id')
        .execute();
      const latest = new Map(rows.map((r) => [r.version_id, r]));
      return [...latest.values()].map((r) => ({
        id: r.id,
        versionId: r.version_id,
        probes: JSON.parse(r.probes) as StoredFingerprint['probes'],
        tolerance: Number(r.tolerance),
        recordedAt: r.recorded_at,
        recordedBy: r.recorded_by,
      }));
    },
    endpoints: async () =>
      (
        await db
          .selectFrom('registry_deployments')
          .select('endpoint')
          .distinct()
          .orderBy('endpoint')
          .execute()
      ).map((r) => r.endpoint),
  };
}

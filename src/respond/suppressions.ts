import type { Kysely } from 'kysely';
import { canonicalJson, createId, type Alert, type Clock, type AuditEntry } from '../core/index.js';
import type { Database } from '../store/index.js';
import { respondError, RespondErrorCodes } from './errors.js';
import { alertSubject } from './subject.js';

/** The table `0004_suppressions` creates. */
type SuppressionTables = {
  respond_suppressions: {
    id: string;
    subject: string;
    detector: string;
    model: string | null;
    incident_id: string | null;
    created_at: string;
    expires_at: string;
    revoked_at: string | null;
    body: string;
  };
};

/**
 * A false positive remembered: findings of `detector` about `subject` (on `model`, or any
 * model when null) open no incident until `expiresAt` or a revocation.
 */
export interface Suppression {
  id: string;
  subject: string;
  detector: string;
  model: string | null;
  incidentId: string | null;
  reason: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

export interface SuppressionOptions {
  db: Kysely<Database>;
  /** Appends one entry to the `audit` ledger and resolves once it is durable. */
  audit: (entry: AuditEntry) => Promise<void>;
  clock: Clock;
}

/** At most this long: a suppression is a decision about today's behaviour, not forever. */
export const MAX_SUPPRESSION_MS = 365 * 24 * 3_600_000;

/** What createSuppressions returns. */
export interface Suppressions {
  get: (id: string) => Promise<Suppression>;
  /** Records a suppression for `forMs` from now, in the store and then the audit ledger. */
  create(
    input: Pick<Suppression, 'subject' | 'detector' | 'model' | 'incidentId' | 'reason'>,
    forMs: number,
    actor: string,
  ): Promise<Suppression>;
  /** Ends a suppression now; revoking one already revoked changes nothing. */
  revoke(id: string, actor: string): Promise<Suppression>;
  /** Newest first; `active`: neither revoked nor expired. */
  list(filter?: { active?: boolean }): Promise<Suppression[]>;
  /** The active suppression an alert falls under, if any. */
  match(alert: Alert): Promise<Suppression | null>;
}

/** Suppressions: recorded in the store and the audit ledger, matched when alerts are filed. */
export function createSuppressions(options: SuppressionOptions): Suppressions {
  const q = options.db.withTables<SuppressionTables>();
  const { clock, audit } = options;
  const iso = (ms: number) => new Date(ms).toISOString();
  const parse = (body: string) => JSON.parse(body) as Suppression;

  const get = async (id: string) => {
    const row = await q
      .selectFrom('respond_suppressions')
      .select('body')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row)
      throw respondError(RespondErrorCodes.RESPOND_SUPPRESSION_UNKNOWN, `no suppression ${id}`);
    return parse(row.body);
  };
  const save = async (s: Suppression, insert: boolean) => {
    const row = {
      id: s.id,
      subject: s.subject,
      detector: s.detector,
      model: s.model,
      incident_id: s.incidentId,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
      revoked_at: s.revokedAt,
      body: canonicalJson(s),
    };
    if (insert) await q.insertInto('respond_suppressions').values(row).execute();
    else
      await q
        .updateTable('respond_suppressions')
        .set({ revoked_at: row.revoked_at, body: row.body })
        .where('id', '=', s.id)
        .execute();
  };

  return {
    get,
    /** Records a suppression for `forMs` from now, in the store and then the audit ledger. */
    async create(
      input: Pick<Suppression, 'subject' | 'detector' | 'model' | 'incidentId' | 'reason'>,
      forMs: number,
      actor: string,
    ): Promise<Suppression> {
      if (!Number.isFinite(forMs) || forMs <= 0 || forMs > MAX_SUPPRESSION_MS)
        throw respondError(
          RespondErrorCodes.RESPOND_SUPPRESSION_INVALID,
          `a suppression lasts more than 0 and at most ${MAX_SUPPRESSION_MS} ms (365 days), not ${forMs}`,
        );
      const now = clock.now();
      const s: Suppression = {
        ...input,
        id: createId('sup', now),
        createdBy: actor,
        createdAt: iso(now),
        expiresAt: iso(now + forMs),
        revokedAt: null,
        revokedBy: null,
      };
      await save(s, true);
      await audit({
        type: 'respond.suppression.created',
        actor,
        at: s.createdAt,
        suppression: { ...s },
      });
      return s;
    },
    /** Ends a suppression now; revoking one already revoked changes nothing. */
    async revoke(id: string, actor: string): Promise<Suppression> {
      const s = await get(id);
      if (s.revokedAt !== null) return s;
      const next = { ...s, revokedAt: iso(clock.now()), revokedBy: actor };
      await save(next, false);
      await audit({
        type: 'respond.suppression.revoked',
        actor,
        at: next.revokedAt,
        suppressionId: id,
      });
      return next;
    },
    /** Newest first; `active`: neither revoked nor expired. */
    async list(filter: { active?: boolean } = {}): Promise<Suppression[]> {
      let query = q
        .selectFrom('respond_suppressions')
        .select('body')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc');
      if (filter.active)
        query = query.where('revoked_at', 'is', null).where('expires_at', '>', iso(clock.now()));
      return (await query.limit(10_000).execute()).map((r) => parse(r.body));
    },
    /** The active suppression an alert falls under, if any. */
    async match(alert: Alert): Promise<Suppression | null> {
      const rows = await q
        .selectFrom('respond_suppressions')
        .select(['body', 'model'])
        .where('subject', '=', alertSubject(alert))
        .where('detector', '=', alert.detector)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', iso(clock.now()))
        .execute();
      const hit = rows.find((r) => r.model === null || r.model === alert.model);
      return hit ? parse(hit.body) : null;
    },
  };
}

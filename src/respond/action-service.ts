import {
  AppError,
  createId,
  type AppliedAction,
  type Clock,
  type ContainmentAction,
  type AuditEntry,
} from '../core/index.js';
import { RespondErrorCodes } from './errors.js';
import { createPolicyPublication, type PolicyPublisher } from './policy-publication.js';

export type { PolicyPublisher };

/** Where applied actions are kept (the store's policy action repository fits). */
export interface ActionRecords {
  insert(applied: AppliedAction): Promise<void>;
  lift(
    id: string,
    by: string,
    at: string,
  ): Promise<
    { status: 'lifted' | 'already_lifted'; action: AppliedAction } | { status: 'not_found' }
  >;
  listActive(): Promise<AppliedAction[]>;
  list(): Promise<AppliedAction[]>;
}

export interface ActionServiceOptions {
  records: ActionRecords;
  publisher: PolicyPublisher;
  /** Appends one entry to the `audit` ledger and resolves once it is durable. */
  audit: (entry: AuditEntry) => Promise<void>;
  /** Says whether an action's target (key id, model id, version) exists; a message if not. */
  checkTarget: (action: ContainmentAction) => Promise<string | null>;
  clock: Clock;
  /**
   * Hears every apply and lift once it is recorded and published (the registry records the
   * deployment a pin or lift makes, src/registry's createServingRecorder). Awaited.
   */
  afterChange?: (change: {
    applied: AppliedAction;
    lifted: boolean;
    at: string;
    actor: string;
  }) => Promise<void>;
  /** Hears about publications left pending by a bus outage (they are retried). */
  onPending?: (error: unknown) => void;
}

/** `pending`: stored and audited, but the bus did not take it yet; it is re-published until it does. */
export type Publication = { pending: boolean };

export interface ActionService {
  apply(
    action: ContainmentAction,
    reason: string,
    actor: string,
  ): Promise<AppliedAction & Publication>;
  lift(
    id: string,
    actor: string,
  ): Promise<
    { status: 'lifted' | 'already_lifted' | 'not_found'; action?: AppliedAction } & Publication
  >;
  list(options: { active?: boolean }): Promise<AppliedAction[]>;
  /** Publishes the current active set again (start-up, key changes); false when left pending. */
  republish(): Promise<boolean>;
  /** Whether a stored change waits for the bus. */
  pending(): boolean;
  /** Re-publishes a pending change at once (the bus reconnected). */
  retryNow(): void;
  close(): void;
}

/**
 * Applies and lifts containment actions: validate the target, record the action, then write it
 * to the audit ledger and publish the new active set (in parallel) so every gateway enforces it. Lifting is
 * idempotent; a second lift reports the first.
 */
export function createActionService(options: ActionServiceOptions): ActionService {
  const { records, publisher, audit, clock } = options;
  const publication = createPolicyPublication({
    listActive: () => records.listActive(),
    publisher,
    clock,
    ...(options.onPending ? { onPending: options.onPending } : {}),
  });
  const publish = () => publication.publish();

  return {
    async apply(action, reason, actor) {
      const problem = await options.checkTarget(action);
      if (problem !== null)
        throw new AppError(RespondErrorCodes.ACTION_TARGET_UNKNOWN, problem, { status: 404 });
      const now = clock.now();
      const applied: AppliedAction = {
        id: createId('act', now),
        action,
        reason,
        actor,
        appliedAt: new Date(now).toISOString(),
        liftedAt: null,
        liftedBy: null,
      };
      await records.insert(applied);
      // The record is committed; the ledger entry and the publication go out together so the
      // gateways enforce without waiting for the ledger's commit (time-to-contain). Both are
      // awaited: apply resolves once the action is in the ledger and published, or pending
      // (stored, retried until the bus takes it) when the bus is down.
      const [, published] = await Promise.all([
        audit({
          type: 'respond.action.applied',
          actor,
          at: applied.appliedAt,
          actionId: applied.id,
          action,
          reason,
        }),
        publish(),
      ]);
      await options.afterChange?.({ applied, lifted: false, at: applied.appliedAt, actor });
      return { ...applied, pending: !published };
    },
    async lift(id, actor) {
      const at = new Date(clock.now()).toISOString();
      const result = await records.lift(id, actor, at);
      if (result.status === 'lifted') {
        await audit({
          type: 'respond.action.lifted',
          actor,
          at,
          actionId: id,
          action: result.action.action,
        });
        const pending = !(await publish());
        await options.afterChange?.({ applied: result.action, lifted: true, at, actor });
        return { ...result, pending };
      }
      return { ...result, pending: publication.pending() };
    },
    async list({ active }) {
      return active ? records.listActive() : records.list();
    },
    republish: publish,
    pending: () => publication.pending(),
    retryNow: () => publication.retryNow(),
    close: () => publication.close(),
  };
}

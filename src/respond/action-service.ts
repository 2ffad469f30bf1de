import {
  AppError,
  createId,
  type AppliedAction,
  type Clock,
  type ContainmentAction,
} from '../core/index.js';
import { RespondErrorCodes } from './errors.js';

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

/** Publishes the active actions to every gateway (the bus module's policy channel fits). */
export interface PolicyPublisher {
  publish(state: { version: number; actions: AppliedAction[] }): Promise<void>;
}

export interface ActionServiceOptions {
  records: ActionRecords;
  publisher: PolicyPublisher;
  /** Appends one entry to the `audit` ledger and resolves once it is durable. */
  audit: (entry: Record<string, unknown>) => Promise<void>;
  /** Says whether an action's target (key id, model id, version) exists; a message if not. */
  checkTarget: (action: ContainmentAction) => Promise<string | null>;
  clock: Clock;
}

export interface ActionService {
  apply(action: ContainmentAction, reason: string, actor: string): Promise<AppliedAction>;
  lift(
    id: string,
    actor: string,
  ): Promise<{ status: 'lifted' | 'already_lifted' | 'not_found'; action?: AppliedAction }>;
  list(options: { active?: boolean }): Promise<AppliedAction[]>;
  /** Publishes the current active set again (at start-up, or after a gateway joins). */
  republish(): Promise<void>;
}

/**
 * Applies and lifts containment actions: validate the target, record the action, write it to
 * the audit ledger, then publish the new active set so every gateway enforces it. Lifting is
 * idempotent; a second lift reports the first.
 */
export function createActionService(options: ActionServiceOptions): ActionService {
  const { records, publisher, audit, clock } = options;
  let version = 0;
  const publish = async () => {
    // Versions only grow, even across restarts, so gateways can drop stale states.
    version = Math.max(version + 1, clock.now());
    await publisher.publish({ version, actions: await records.listActive() });
  };

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
      await audit({
        type: 'respond.action.applied',
        actor,
        at: applied.appliedAt,
        actionId: applied.id,
        action,
        reason,
      });
      await publish();
      return applied;
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
        await publish();
      }
      return result;
    },
    async list({ active }) {
      return active ? records.listActive() : records.list();
    },
    republish: publish,
  };
}

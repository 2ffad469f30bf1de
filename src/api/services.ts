import type { Alert, AppliedAction, ContainmentAction } from '../core/index.js';

/** A key as the API shows it (never the secret, never its hash). */
export interface ApiKeyView {
  id: string;
  principal: string;
  prefix: string;
  description: string | null;
  models: readonly string[] | null;
  ratePerSecond: number | null;
  burst: number | null;
  createdAt: string;
  state: 'active' | 'suspended' | 'revoked';
}

export interface CreateKeyInput {
  principal: string;
  description?: string | undefined;
  models?: string[] | undefined;
  ratePerSecond?: number | undefined;
  burst?: number | undefined;
}

/** What the admin API needs from the rest of aisoc; the composition root provides it. */
export interface AdminServices {
  keys: {
    /** `pending`: stored, but not yet published to the gateways (the bus is down; retried). */
    create(
      input: CreateKeyInput,
      actor: string,
    ): Promise<{ key: ApiKeyView; secret: string; pending?: boolean }>;
    list(): Promise<ApiKeyView[]>;
    get(id: string): Promise<ApiKeyView | undefined>;
  };
  actions: {
    apply(
      action: ContainmentAction,
      reason: string,
      actor: string,
    ): Promise<AppliedAction & { pending?: boolean }>;
    lift(
      id: string,
      actor: string,
    ): Promise<{
      status: 'lifted' | 'already_lifted' | 'not_found';
      action?: AppliedAction;
      pending?: boolean;
    }>;
    list(options: { active?: boolean }): Promise<AppliedAction[]>;
  };
  ledger: {
    streams(): readonly string[];
    checkpoint(stream: string): Promise<unknown>;
    entries(stream: string, fromSeq: number, limit: number): Promise<unknown[]>;
    inclusionProof(stream: string, seq: number, treeSize?: number): Promise<unknown>;
    consistencyProof(stream: string, fromSize: number, toSize?: number): Promise<unknown>;
    verify(stream: string): Promise<unknown>;
    publicKey(): { pem: string; verifierKey: string };
  };
  detection: {
    detectors(): { name: string; description: string; models: string[] }[];
    alerts(filter: { model?: string; limit: number }): Alert[];
    feedback(items: unknown[]): {
      accepted: number;
      unknown: number;
      duplicate: number;
      invalid: number;
    };
    performance(model?: string): readonly unknown[];
    drift(model: string): readonly unknown[];
  };
  status(): Promise<Record<string, unknown>>;
  /** Ledger, store and bus checks for /healthz and /readyz; `ready: false` answers 503. */
  health?(): Promise<{ status: string; ready: boolean; checks: Record<string, unknown> }>;
  metrics(): Promise<{ contentType: string; body: string }>;
}

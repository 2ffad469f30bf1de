import type { Generated } from 'kysely';

// The tables of every aisoc database, as Kysely sees them. Both engines hold the same columns;
// times are ISO 8601 UTC strings, JSON columns hold canonical JSON text.

/** API keys; the secret is never stored, only its SHA-256. Key state comes from policy_actions. */
export interface ApiKeysTable {
  id: string; // public id, e.g. key_01J...
  principal: string; // who the key belongs to (a service, a team, a customer)
  key_hash: string; // hex SHA-256 of the full secret
  prefix: string; // first characters of the secret, to recognise it in logs
  description: string | null;
  models: string | null; // JSON array of model ids the key may call; null = all
  rate_per_second: number | null; // per-key default limit; null = the gateway default
  burst: number | null;
  created_at: string;
}

/** Containment actions (see core ContainmentAction); lifting sets lifted_at, nothing is deleted. */
export interface PolicyActionsTable {
  id: string;
  kind: string;
  target: string; // key id or model id, for lookups
  action: string; // JSON of the ContainmentAction
  reason: string;
  actor: string;
  applied_at: string;
  lifted_at: string | null;
  lifted_by: string | null;
}

/** Append-only: triggers on both engines refuse UPDATE and DELETE. */
export interface LedgerEntriesTable {
  stream: string; // 'inference', 'audit', ...
  seq: number; // 0-based, contiguous per stream: the leaf index in the Merkle tree
  time: string;
  leaf_hash: string; // hex RFC 6962 leaf hash of `payload`'s bytes
  payload: string; // canonical JSON of the entry (it carries stream, seq and time itself)
}

/** Append-only, like ledger_entries. `note` is the C2SP signed-note checkpoint text. */
export interface LedgerCheckpointsTable {
  stream: string;
  tree_size: number;
  root_hash: string; // hex
  time: string;
  note: string;
}

/** The writer's resume point per stream (size and compact-range frontier); not evidence. */
export interface LedgerHeadsTable {
  stream: string;
  tree_size: number;
  frontier: string; // JSON array of hex subtree hashes, largest subtree first
  updated_at: string;
}

/** Append-only: one row per prune of a stream's payloads, [from_seq, to_seq) (issue 19). */
export interface LedgerPrunesTable {
  stream: string;
  from_seq: number;
  to_seq: number;
  before: string;
  pruned_at: string;
  actor: string;
  reason: string;
}

export interface Database {
  api_keys: ApiKeysTable;
  policy_actions: PolicyActionsTable;
  ledger_entries: LedgerEntriesTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  ledger_heads: LedgerHeadsTable;
  ledger_prunes: LedgerPrunesTable;
}

export type { Generated };

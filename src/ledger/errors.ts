import { errorFactory } from '../core/index.js';

/** Error codes of the ledger module; each is documented in docs/errors.md. */
export const LedgerErrorCodes = {
  /** The writer's queue is full and overflow is 'reject' (fail-closed). */
  BACKPRESSURE: 'LEDGER_BACKPRESSURE',
  /** An entry cannot be appended (not an object, carries `stream`/`seq`, not JSON). */
  ENTRY_INVALID: 'LEDGER_ENTRY_INVALID',
  /** Writer or reader options are out of range or inconsistent. */
  OPTIONS_INVALID: 'LEDGER_OPTIONS_INVALID',
  /** The stream is not one the writer was configured with. */
  STREAM_UNKNOWN: 'LEDGER_STREAM_UNKNOWN',
  /** The writer was closed, or its worker died; nothing more can be appended. */
  WRITER_CLOSED: 'LEDGER_WRITER_CLOSED',
  /** The worker failed to commit a batch (database error); the entries were not written. */
  WRITE_FAILED: 'LEDGER_WRITE_FAILED',
  /** A signing key file is readable by group or others. */
  KEY_INSECURE: 'LEDGER_KEY_INSECURE',
  /** A key file or verifier key string is malformed, or a key name is not allowed. */
  KEY_INVALID: 'LEDGER_KEY_INVALID',
  /** createLedgerKey would overwrite an existing key file. */
  KEY_EXISTS: 'LEDGER_KEY_EXISTS',
  /** A signed note or checkpoint is malformed. */
  NOTE_INVALID: 'LEDGER_NOTE_INVALID',
  /** A proof was asked for an index or sizes the tree does not have. */
  PROOF_RANGE: 'LEDGER_PROOF_RANGE',
  /** Stored ledger data contradicts itself (found while proving or exporting). */
  CHAIN_BROKEN: 'LEDGER_CHAIN_BROKEN',
  /** Verify: entries no signed checkpoint covers (and the unsigned tail was not allowed). */
  UNSIGNED_TAIL: 'LEDGER_UNSIGNED_TAIL',
  /** Verify: a checkpoint is not signed by the pinned (or local) public key. */
  KEY_MISMATCH: 'LEDGER_KEY_MISMATCH',
  /** Verify: a witnessed checkpoint is larger than the stored stream (truncated log). */
  TRUNCATED: 'LEDGER_TRUNCATED',
  /** Verify: the stored stream does not hash to a witnessed checkpoint's root (rewritten log). */
  WITNESS_MISMATCH: 'LEDGER_WITNESS_MISMATCH',
  /** Witness: the checkpoint's origin has no pinned key, or its signature does not verify. */
  WITNESS_UNTRUSTED: 'LEDGER_WITNESS_UNTRUSTED',
  /** Witness: the `old` size is not the size the witness holds for the origin. */
  WITNESS_CONFLICT: 'LEDGER_WITNESS_CONFLICT',
  /** Witness: the consistency proof does not prove the new checkpoint extends the old one. */
  WITNESS_PROOF_INVALID: 'LEDGER_WITNESS_PROOF_INVALID',
  /** A configured witness could not be reached or answered garbage. */
  WITNESS_UNREACHABLE: 'LEDGER_WITNESS_UNREACHABLE',
  /** Prune: `before` is not an ISO date, or no reason was given. */
  PRUNE_INVALID: 'LEDGER_PRUNE_INVALID',
} as const;

export type LedgerErrorCode = (typeof LedgerErrorCodes)[keyof typeof LedgerErrorCodes];

const STATUS: Record<LedgerErrorCode, number> = {
  LEDGER_BACKPRESSURE: 503,
  LEDGER_ENTRY_INVALID: 400,
  LEDGER_OPTIONS_INVALID: 400,
  LEDGER_STREAM_UNKNOWN: 400,
  LEDGER_WRITER_CLOSED: 503,
  LEDGER_WRITE_FAILED: 500,
  LEDGER_KEY_INSECURE: 500,
  LEDGER_KEY_INVALID: 400,
  LEDGER_KEY_EXISTS: 409,
  LEDGER_NOTE_INVALID: 400,
  LEDGER_PROOF_RANGE: 400,
  LEDGER_CHAIN_BROKEN: 500,
  LEDGER_UNSIGNED_TAIL: 500,
  LEDGER_KEY_MISMATCH: 500,
  LEDGER_TRUNCATED: 500,
  LEDGER_WITNESS_MISMATCH: 500,
  LEDGER_WITNESS_UNTRUSTED: 403,
  LEDGER_WITNESS_CONFLICT: 409,
  LEDGER_WITNESS_PROOF_INVALID: 422,
  LEDGER_WITNESS_UNREACHABLE: 502,
  LEDGER_PRUNE_INVALID: 400,
};

/** An AppError with a ledger code and the HTTP status that code maps to. */
export const ledgerError = errorFactory<LedgerErrorCode>(STATUS);

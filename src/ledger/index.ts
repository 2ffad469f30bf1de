/** Tamper-evident append-only logs: RFC 6962 Merkle trees, signed checkpoints, proofs, verification. */
export { LedgerErrorCodes, type LedgerErrorCode } from './errors.js';
export { EMPTY_ROOT, hashLeaf, hashChildren } from './merkle-hash.js';
export { createMerkleFrontier, type MerkleFrontier } from './merkle-frontier.js';
export {
  merkleRoot,
  inclusionProof,
  consistencyProof,
  inclusionProofRanges,
  consistencyProofRanges,
  type LeafRange,
} from './merkle-proof.js';
export { verifyInclusion, verifyConsistency, rootFromInclusionProof } from './verify-proof.js';
export {
  formatVerifierKey,
  parseVerifierKey,
  noteKeyId,
  signNote,
  openNote,
  parseNote,
  type NoteVerifierKey,
  type NoteSigner,
  type NoteSignature,
} from './signed-note.js';
export {
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
} from './checkpoint.js';
export {
  LEDGER_KEY_FILE,
  keyFromPrivate,
  createLedgerKey,
  loadLedgerKey,
  parseLedgerKey,
  exportPublicKey,
  type LedgerKey,
} from './ledger-key.js';
export { leafTemplate, leafPayload, type LeafTemplate } from './leaf-template.js';
export { createLedgerWriter, type LedgerWriter, type LedgerWriterStats } from './ledger-writer.js';
export { type LedgerLoss, retryDelayMs } from './retry-queue.js';
export {
  OVERFLOW_POLICIES,
  type OverflowPolicy,
  type LedgerWriterOptions,
} from './writer-options.js';
export {
  readEntries,
  getCheckpoint,
  countEntries,
  proveInclusion,
  proveConsistency,
  type LedgerEntry,
  type StoredCheckpoint,
  type InclusionProof,
  type ConsistencyProof,
} from './read-ledger.js';
export {
  verifyLedger,
  parsePublicKey,
  type LedgerVerification,
  type VerifyLedgerOptions,
} from './verify-ledger.js';
export { exportCheckpoints, lastExportedSize, splitWitnessFile } from './export-checkpoints.js';
export {
  pruneLedger,
  truncateSqliteWal,
  pruneBefore,
  prunedEnd,
  listPrunes,
  prunedPayload,
  isPrunedPayload,
  type LedgerPrune,
  type PruneRequest,
  type PrunePlan,
} from './prune.js';
export { openKnownLeaves, type KnownLeaves } from './known-leaves.js';
export * from './witness/index.js';

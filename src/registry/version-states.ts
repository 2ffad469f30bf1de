import type { SubjectKind, VersionState } from './types.js';

// registered → approved (known-good) → deployed; quarantine and revocation from anywhere live;
// a quarantined subject comes back only through approval (admission runs again); revoked is
// final. A deployed version goes back to approved when another version replaces it.
const VERSION_NEXT: Record<VersionState, readonly VersionState[]> = {
  registered: ['approved', 'quarantined', 'revoked'],
  approved: ['deployed', 'quarantined', 'revoked'],
  deployed: ['approved', 'deployed', 'quarantined', 'revoked'],
  quarantined: ['approved', 'revoked'],
  revoked: [],
};

const SNAPSHOT_NEXT: Record<VersionState, readonly VersionState[]> = {
  registered: ['approved', 'quarantined', 'revoked'],
  approved: ['quarantined', 'revoked'],
  deployed: [],
  quarantined: ['approved', 'revoked'],
  revoked: [],
};

/** Whether a subject in state `from` may move to `to` (pure). */
export function canTransition(kind: SubjectKind, from: VersionState, to: VersionState): boolean {
  return (kind === 'model_version' ? VERSION_NEXT : SNAPSHOT_NEXT)[from].includes(to);
}

/** States a version may be deployed (or rolled back to) from: known-good ones. */
export const DEPLOYABLE_STATES: readonly VersionState[] = ['approved', 'deployed'];

import { ATLAS, createId, OWASP, systemClock, type Alert, type Clock } from '../../core/index.js';

export interface ArtifactAccessLimits {
  maxReadsPerHour: number;
  maxBytesPerHour: number;
}

/** An identity's role name (identity module); the registry does not depend on identity. */
type Role = string;

/** One completed read, as the audit ledger records it. */
export interface ArtifactRead {
  identity: string;
  role: Role;
  model: string;
  version: string;
  path: string;
  bytes: number;
}

export interface ArtifactAccessMonitorOptions extends ArtifactAccessLimits {
  raise: (alert: Alert) => void | Promise<void>;
  clock?: Clock;
  /** Roles whose first read of a model is expected (they approve or run the system). */
  trustedRoles?: readonly Role[];
  /** Identities remembered, oldest forgotten first (default 10,000). */
  maxIdentities?: number;
}

const HOUR = 3_600_000;

interface IdentityState {
  models: Set<string>;
  /** [time, bytes] of each read in the last hour. */
  reads: [number, number][];
  /** Start of the window in which a volume alert was last raised: one alert per window. */
  alertedAt: number;
}

// Copying model files out is ATLAS AML.T0025 (Exfiltration via Cyber Means); OWASP
// ML05:2023 is model theft.
function alert(
  now: number,
  read: ArtifactRead,
  title: string,
  severity: Alert['severity'],
  confidence: number,
  evidence: Record<string, unknown>,
): Alert {
  return {
    id: createId('alr', now),
    time: new Date(now).toISOString(),
    detector: 'registry.artifact-access',
    kind: 'artifact.access',
    model: read.model,
    principal: read.identity,
    sourceAddress: null,
    severity,
    confidence,
    title,
    atlasTechniques: [ATLAS.exfiltrationViaCyberMeans],
    owasp: [OWASP.modelTheft],
    evidence: { identity: read.identity, role: read.role, ...evidence },
    eventIds: [],
  };
}

/**
 * Watches completed artifact reads per identity: a first read of a model by an identity that
 * is not an admin or approver, and more than the configured reads or bytes in the last hour,
 * each raise an `artifact.access` alert. State is in memory: after a restart every identity
 * starts afresh (its first read of each model alerts again).
 */
export function createArtifactAccessMonitor(options: ArtifactAccessMonitorOptions) {
  const clock = options.clock ?? systemClock;
  const trusted = new Set<Role>(options.trustedRoles ?? ['admin', 'approver']);
  const max = options.maxIdentities ?? 10_000;
  const identities = new Map<string, IdentityState>();

  async function observe(read: ArtifactRead): Promise<Alert[]> {
    const now = clock.now();
    let state = identities.get(read.identity);
    if (state) identities.delete(read.identity); // re-insert last: Map keeps insertion order
    state ??= { models: new Set(), reads: [], alertedAt: -Infinity };
    identities.set(read.identity, state);
    for (const k of [...identities.keys()].slice(0, Math.max(0, identities.size - max)))
      identities.delete(k);

    const out: Alert[] = [];
    if (!state.models.has(read.model)) {
      state.models.add(read.model);
      if (!trusted.has(read.role))
        out.push(
          alert(
            now,
            read,
            `${read.identity} (role ${read.role}) read artifacts of ${read.model} for the first time (${read.version}: ${read.path})`,
            'medium',
            0.6,
            { reason: 'first read of this model', version: read.version, path: read.path },
          ),
        );
    }
    state.reads = state.reads.filter(([t]) => now - t < HOUR);
    state.reads.push([now, read.bytes]);
    const reads = state.reads.length;
    const bytes = state.reads.reduce((s, [, b]) => s + b, 0);
    const over: string[] = [];
    if (reads > options.maxReadsPerHour) over.push(`${reads} reads > ${options.maxReadsPerHour}`);
    if (bytes > options.maxBytesPerHour) over.push(`${bytes} bytes > ${options.maxBytesPerHour}`);
    if (over.length > 0 && now - state.alertedAt >= HOUR) {
      state.alertedAt = now;
      out.push(
        alert(
          now,
          read,
          `${read.identity} read model artifacts at an unusual volume in the last hour: ${over.join(', ')}`,
          'high',
          0.8,
          {
            reason: 'volume',
            readsLastHour: reads,
            bytesLastHour: bytes,
            maxReadsPerHour: options.maxReadsPerHour,
            maxBytesPerHour: options.maxBytesPerHour,
          },
        ),
      );
    }
    for (const a of out) await options.raise(a);
    return out;
  }

  return { observe };
}
export type ArtifactAccessMonitor = ReturnType<typeof createArtifactAccessMonitor>;

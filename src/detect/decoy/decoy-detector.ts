// Decoys: a model that no honest client is told about. Whoever queries it found it by
// enumerating, guessing or reading what they should not have, so one query is enough.
import { ATLAS, OWASP } from '../../core/index.js';
import type { InferenceEvent } from '../../core/index.js';
import type { Detector, Finding } from '../detector.js';
import { detectError, DetectErrorCodes } from '../errors.js';

export interface DecoyDetectorOptions {
  /** Ids of the models configured with `decoy: true`. */
  decoys: readonly string[];
  /** Event-time between two alerts about one subject on one decoy (default 1 h). */
  realertMs?: number;
  /** Subjects remembered per decoy, oldest forgotten first (default 10,000). */
  maxSubjects?: number;
  name?: string; // default 'decoy'
}

export interface DecoyState {
  /** Subject → [event time of its last alert, requests after it]. */
  subjects: Record<string, [number, number]>;
}

/** Keys by id; unauthenticated callers by their /24 (IPv4) or /48 (IPv6) network. */
export function subjectOf(event: InferenceEvent): string {
  if (event.keyId) return `key:${event.keyId}`;
  const a = event.sourceAddress.replace(/^::ffff:/, '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(a)) return `net:${a.split('.').slice(0, 3).join('.')}.0/24`;
  return `net:${a.split(':').slice(0, 3).join(':')}::/48`;
}

export function createDecoyDetector(options: DecoyDetectorOptions): Detector<DecoyState> {
  const name = options.name ?? 'decoy';
  const realert = options.realertMs ?? 3_600_000;
  const max = options.maxSubjects ?? 10_000;
  if (!(realert > 0 && Number.isInteger(max) && max > 0))
    throw detectError(
      DetectErrorCodes.DETECT_OPTIONS_INVALID,
      'decoy detector: realertMs and maxSubjects must be positive',
    );
  const decoys = new Set(options.decoys);
  return {
    name,
    description: 'Any query to a decoy model (one no honest client is told about)',
    init: () => ({ subjects: {} }),
    observe(state, event): Finding[] {
      if (!decoys.has(event.model)) return [];
      const t = Date.parse(event.time);
      if (!Number.isFinite(t)) return [];
      const subject = subjectOf(event);
      const seen = state.subjects[subject];
      if (seen && t - seen[0] < realert) {
        seen[1]++;
        return [];
      }
      delete state.subjects[subject]; // re-insert last: the object keeps insertion order (LRU)
      state.subjects[subject] = [t, 0];
      const keys = Object.keys(state.subjects);
      for (const k of keys.slice(0, Math.max(0, keys.length - max))) delete state.subjects[k];
      return [
        {
          time: event.time,
          detector: name,
          kind: 'decoy',
          model: event.model,
          principal: event.principal,
          sourceAddress: event.sourceAddress,
          severity: 'high',
          confidence: 0.95,
          title: `Decoy model ${event.model} queried by ${event.keyId ? `key ${event.keyId} (${event.principal ?? 'unknown principal'})` : subject.slice(4)}`,
          // Reaching an unadvertised model is reconnaissance of the inference API
          // (AML.T0040) on the way to stealing a model (AML.T0024.002, OWASP ML05:2023).
          atlasTechniques: [ATLAS.inferenceApiAccess, ATLAS.extractModel],
          owasp: [OWASP.modelTheft],
          evidence: {
            subject,
            ...(event.keyId ? { keyId: event.keyId } : {}),
            decoy: event.model,
            status: event.status,
            requestsSinceLastAlert: (seen?.[1] ?? 0) + 1,
          },
          eventIds: [event.id],
        },
      ];
    },
    stateSize: (state) => 64 + Object.keys(state.subjects).length * 96,
    serialize: (state) => state,
    deserialize(data) {
      const d = data as Partial<DecoyState> | null;
      if (!d || typeof d.subjects !== 'object' || d.subjects === null)
        throw detectError(
          DetectErrorCodes.DETECT_CHECKPOINT_INVALID,
          `${name}: checkpoint is not a decoy state`,
        );
      return { subjects: d.subjects };
    },
  };
}

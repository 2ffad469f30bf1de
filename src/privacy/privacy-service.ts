import type { ModelPrivacyConfig } from '../config/index.js';
import type { InferenceEvent, AuditEntry } from '../core/index.js';
import { readEntries } from '../ledger/index.js';
import type { Store } from '../store/index.js';
import { anonymousKeyRef, compilePolicy, type ApplyPolicy } from './apply-policy.js';
import { privacyError, PrivacyErrorCodes } from './errors.js';
import type { KeyWrapper } from './key-files.js';
import { createKeyring, type EraseOutcome } from './keyring.js';
import { markErased, openEvent } from './open-record.js';
import { createHasher } from './seal.js';

/** The incident fields a subject export matches events against. */
export interface IncidentScope {
  id: string;
  title?: string;
  assets: readonly string[];
  principals: readonly string[];
  firstSeen: string;
  lastSeen: string;
}

export interface PrivacyServiceOptions {
  store: Store;
  models: readonly { id: string; privacy?: ModelPrivacyConfig | undefined }[];
  hmacKey: Buffer;
  wrapper: KeyWrapper;
  keyCacheMs: number;
  /** Appends one entry to the `audit` ledger and resolves once it is durable. */
  audit(entry: AuditEntry): Promise<void>;
  /** Every incident (for the subject export); none when respond is not running. */
  incidents?: () => Promise<readonly IncidentScope[]>;
}

/** A subject's record (GDPR Art. 15): what aisoc holds, sealed fields opened when asked. */
export interface SubjectExport {
  subjectRef: string;
  erased: boolean;
  events: {
    seq: number;
    time: string;
    model: string;
    modelVersion: string | null;
    requestId: string;
    principal: string | null;
    outcome: string;
    features: unknown;
    outputs: unknown;
    request?: Record<string, unknown>;
    sealed: 'none' | 'sealed' | 'opened' | 'erased';
  }[];
  incidents: { id: string; title?: string; firstSeen: string; lastSeen: string }[];
}

const MIN_REASON = 4;
const PAGE = 5000;

function checkReason(reason: unknown): string {
  if (typeof reason !== 'string' || reason.trim().length < MIN_REASON)
    throw privacyError(
      PrivacyErrorCodes.PRIVACY_REASON_REQUIRED,
      `reason: give why (at least ${MIN_REASON} characters); it is recorded in the audit ledger`,
    );
  return reason.trim().slice(0, 1000);
}

function checkSubject(subject: unknown): string {
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 256)
    throw privacyError(
      PrivacyErrorCodes.PRIVACY_SUBJECT_INVALID,
      'subject: the data subject id, 1 to 256 characters',
    );
  return subject;
}

/** What createPrivacyService returns. */
export interface PrivacyService {
  /** Whether any model has a privacy block (else the hook is a no-op). */
  active: boolean;
  /** The event to record (ledger, store, NATS) for a clear event; sync unless a key is loaded. */
  recordable(event: InferenceEvent): InferenceEvent | Promise<InferenceEvent>;
  subjectRef: (subject: string) => string;
  /** Destroys the subject's data key and records the erasure (pseudonym only) in the audit ledger. */
  erase(
    input: {
      subject: unknown;
      reason: unknown;
    },
    actor: string,
  ): Promise<
    EraseOutcome & {
      subjectRef: string;
      at: string;
    }
  >;
  /** Destroys a model's key for events without a subject. */
  eraseAnonymous: (model: string) => Promise<EraseOutcome>;
  /**
   * Everything held about a subject. With `reveal`, sealed fields are opened: the caller must
   * have checked the privacy-officer role; the read is recorded with the reader and reason.
   */
  exportSubject(
    input: {
      subject: unknown;
      reason: unknown;
      reveal?: boolean;
    },
    actor: string,
  ): Promise<SubjectExport>;
  /** Marks sealed cells of events whose subject was erased as `erased` (for listings). */
  markErased(events: readonly InferenceEvent[]): Promise<InferenceEvent[]>;
  /** Re-wraps every data key under a new KEK; the caller then replaces the KEK file. */
  rotateKek(
    next: KeyWrapper,
    actor: string,
    reason: unknown,
  ): Promise<{
    from: string;
    to: string;
    rewrapped: number;
  }>;
  stats: () => Promise<{
    keys: number;
    kekIds: string[];
    erasures: number;
  }>;
}

/**
 * Privacy of the record (issue 19): field policies before the ledger, per-subject keys and
 * crypto-shredding, subject export, and reading clear values with the read recorded.
 */
export function createPrivacyService(options: PrivacyServiceOptions): PrivacyService {
  const hasher = createHasher(options.hmacKey);
  const keyring = createKeyring({
    db: options.store.db,
    driver: options.store.driver,
    wrapper: options.wrapper,
    cacheMs: options.keyCacheMs,
  });
  const deps = {
    hasher,
    cachedKey: keyring.cached,
    ensureKey: keyring.ensure,
  };
  const policies = new Map<string, ApplyPolicy>();
  for (const m of options.models)
    if (m.privacy) policies.set(m.id, compilePolicy({ id: m.id, privacy: m.privacy }, deps));

  /** The subject's events in the `inference` ledger (a scan; see docs/privacy.md). */
  async function subjectEvents(subject: string, ref: string) {
    const found: { seq: number; event: InferenceEvent }[] = [];
    for (let from = 0; ;) {
      const page = await readEntries(options.store, 'inference', { fromSeq: from, limit: PAGE });
      if (page.length === 0) break;
      for (const e of page) {
        if (!e.payload.includes(ref) && !e.payload.includes(JSON.stringify(subject))) continue;
        const event = JSON.parse(e.payload) as InferenceEvent;
        if (event.subject === ref || event.subject === subject) found.push({ seq: e.seq, event });
      }
      from = page.at(-1)!.seq + 1;
    }
    return found;
  }

  return {
    /** Whether any model has a privacy block (else the hook is a no-op). */
    active: policies.size > 0,
    /** The event to record (ledger, store, NATS) for a clear event; sync unless a key is loaded. */
    recordable(event: InferenceEvent): InferenceEvent | Promise<InferenceEvent> {
      const apply = policies.get(event.model);
      return apply ? apply(event) : event;
    },
    subjectRef: (subject: string) => hasher.subjectRef(checkSubject(subject)),

    /** Destroys the subject's data key and records the erasure (pseudonym only) in the audit ledger. */
    async erase(
      input: { subject: unknown; reason: unknown },
      actor: string,
    ): Promise<EraseOutcome & { subjectRef: string; at: string }> {
      const reason = checkReason(input.reason);
      const ref = hasher.subjectRef(checkSubject(input.subject));
      const outcome = await keyring.erase(ref);
      const at = new Date().toISOString();
      await options.audit({
        type: 'privacy.subject.erased',
        actor,
        at,
        subjectRef: ref,
        reason,
        keyDestroyed: outcome.keyDestroyed,
        walTruncated: outcome.walTruncated,
      });
      return { ...outcome, subjectRef: ref, at };
    },

    /** Destroys a model's key for events without a subject. */
    eraseAnonymous: (model: string) => keyring.erase(anonymousKeyRef(model)),

    /**
     * Everything held about a subject. With `reveal`, sealed fields are opened: the caller must
     * have checked the privacy-officer role; the read is recorded with the reader and reason.
     */
    async exportSubject(
      input: { subject: unknown; reason: unknown; reveal?: boolean },
      actor: string,
    ): Promise<SubjectExport> {
      const subject = checkSubject(input.subject);
      const reason = checkReason(input.reason);
      const ref = hasher.subjectRef(subject);
      const erased = (await keyring.erased([ref])).has(ref);
      const found = await subjectEvents(subject, ref);
      const key = input.reveal && !erased ? await keyring.get(ref) : undefined;
      await options.audit({
        type: input.reveal ? 'privacy.clear.read' : 'privacy.subject.exported',
        actor,
        at: new Date().toISOString(),
        subjectRef: ref,
        reason,
        events: found.length,
      });
      const events = found.map(({ seq, event }) => {
        let view = event;
        let sealed: SubjectExport['events'][number]['sealed'] = event.privacy?.sealed
          ? 'sealed'
          : 'none';
        if (sealed === 'sealed' && erased) {
          view = markErased(event);
          sealed = 'erased';
        } else if (sealed === 'sealed' && key) {
          view = openEvent(event, key);
          sealed = 'opened';
        }
        return {
          seq,
          time: view.time,
          model: view.model,
          modelVersion: view.modelVersion,
          requestId: view.requestId,
          principal: view.principal,
          outcome: view.outcome,
          features: view.privacy?.features ?? view.features,
          outputs: view.privacy?.outputs ?? view.outputs,
          ...(view.privacy?.request ? { request: view.privacy.request } : {}),
          sealed,
        };
      });
      const all = options.incidents ? await options.incidents() : [];
      const incidents = all
        .filter((i) =>
          found.some(
            ({ event: e }) =>
              // Decisions up to the incident's last sighting on its model (a poisoned or
              // tampered model is found after the decisions it made).
              i.assets.includes(e.model) &&
              e.time <= i.lastSeen &&
              (i.principals.length === 0 ||
                (e.principal !== null && i.principals.includes(e.principal))),
          ),
        )
        .map((i) => ({
          id: i.id,
          ...(i.title ? { title: i.title } : {}),
          firstSeen: i.firstSeen,
          lastSeen: i.lastSeen,
        }));
      return { subjectRef: ref, erased, events, incidents };
    },

    /** Marks sealed cells of events whose subject was erased as `erased` (for listings). */
    async markErased(events: readonly InferenceEvent[]): Promise<InferenceEvent[]> {
      const refs = [
        ...new Set(events.flatMap((e) => (e.privacy?.sealed ? [e.privacy.sealed.key] : []))),
      ];
      const gone = await keyring.erased(refs);
      return events.map((e) =>
        e.privacy?.sealed && gone.has(e.privacy.sealed.key) ? markErased(e) : e,
      );
    },

    /** Re-wraps every data key under a new KEK; the caller then replaces the KEK file. */
    async rotateKek(next: KeyWrapper, actor: string, reason: unknown) {
      const why = checkReason(reason);
      const from = keyring.wrapperId;
      const rewrapped = await keyring.rotate(next);
      await options.audit({
        type: 'privacy.kek.rotated',
        actor,
        at: new Date().toISOString(),
        from,
        to: next.id,
        rewrapped,
        reason: why,
      });
      return { from, to: next.id, rewrapped };
    },
    stats: () => keyring.stats(),
  };
}

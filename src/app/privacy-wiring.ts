import { randomBytes } from 'node:crypto';
import type { AisocConfig } from '../config/index.js';
import type { InferenceEvent, AuditEntry } from '../core/index.js';
import type { EventSink } from '../gateway/index.js';
import {
  createPrivacyService,
  fileKeyWrapper,
  loadOrCreateKey,
  writeKeyFile,
  type IncidentScope,
  type PrivacyService,
} from '../privacy/index.js';
import { createPrivacyRoutes } from '../api/index.js';
import type { Store } from '../store/index.js';

export interface PrivacyWiringDeps {
  store: Store;
  audit(entry: AuditEntry): Promise<void>;
  incidents?: () => Promise<readonly IncidentScope[]>;
  log(line: string): void;
}

/** The privacy service (issue 19), its routes, and the hook that turns clear events into records. */
export async function startPrivacy(config: Readonly<AisocConfig>, deps: PrivacyWiringDeps) {
  const hmacKey = await loadOrCreateKey(config.privacy.hmacKeyFile);
  let kek = await loadOrCreateKey(config.privacy.kekFile);
  const privacy = createPrivacyService({
    store: deps.store,
    models: config.models,
    hmacKey,
    wrapper: fileKeyWrapper(kek),
    keyCacheMs: config.privacy.keyCacheMs,
    audit: deps.audit,
    ...(deps.incidents ? { incidents: deps.incidents } : {}),
  });
  // The clear event of each record, for the in-process bus only (never serialised).
  const clear = new WeakMap<object, InferenceEvent>();
  const memoryBus = config.bus.driver === 'memory';
  const rotateKek = async (actor: string, reason: unknown) => {
    const next = randomBytes(32);
    const done = await privacy.rotateKek(fileKeyWrapper(next), actor, reason);
    await writeKeyFile(config.privacy.kekFile, next);
    kek.fill(0);
    kek = next;
    return done;
  };
  return {
    privacy,
    routes: () => createPrivacyRoutes({ privacy, rotateKek }),
    /** Event listings: sealed fields of erased subjects show as `erased`. */
    eventView: async <T extends { event: InferenceEvent }>(events: T[]): Promise<T[]> => {
      const shown = await privacy.markErased(events.map((e) => e.event));
      return events.map((e, i) => ({ ...e, event: shown[i]! }));
    },
    /** What the bus carries: the clear event in memory, the record on NATS (docs/privacy.md). */
    busView: (event: InferenceEvent): InferenceEvent =>
      memoryBus ? (clear.get(event) ?? event) : event,
    /** The gateway's sink with the model's field policies applied before `inner` records. */
    sink(inner: EventSink): EventSink {
      if (!privacy.active) return inner;
      return {
        record(event, durable) {
          const recorded = privacy.recordable(event);
          if (!(recorded instanceof Promise)) {
            clear.set(recorded, event);
            return inner.record(recorded, durable);
          }
          const done = recorded.then((r) => {
            clear.set(r, event);
            return inner.record(r, durable);
          });
          if (durable) return done;
          done.catch((e) => deps.log(`privacy: event not recorded: ${(e as Error).message}`));
        },
        ...(inner.aggregate ? { aggregate: inner.aggregate.bind(inner) } : {}),
      };
    },
  };
}
export type PrivacyWiring = Awaited<ReturnType<typeof startPrivacy>>;
export type { PrivacyService };

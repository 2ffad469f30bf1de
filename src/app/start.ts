import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  createAdminApi,
  createRespondRoutes,
  registerIntakeRoutes,
  registerRegistryRoutes,
} from '../api/index.js';
import {
  createMemoryBus,
  createMemoryPolicyChannel,
  createNatsBus,
  createNatsCoordination,
  createNatsPolicyChannel,
  deploymentNames,
  inferenceSubject,
  Subjects,
  type Bus,
  type PolicyChannel,
} from '../bus/index.js';
import type { AisocConfig } from '../config/index.js';
import {
  AppError,
  buildPolicySnapshot,
  createId,
  systemClock,
  type Alert,
  type AuditEntry,
  type InferenceEvent,
  type PolicySnapshot,
} from '../core/index.js';
import {
  configuredVersions,
  createGateway,
  createKeyDirectory,
  createVersionCatalog,
  endpointProblem,
  type EventSink,
  type LocalModel,
} from '../gateway/index.js';
import { eventPartition, partitionToken } from '../detect/index.js';
import { createLedgerWriter, type LedgerWriter } from '../ledger/index.js';
import { startRetention } from './retention.js';
import { createActionService } from '../respond/index.js';
import { loadOnnxModel } from '../serve/index.js';
import {
  createKeyRepository,
  createPolicyActionRepository,
  createStore,
  type Store,
} from '../store/index.js';
import { prepareDataDir } from './data-dir.js';
import { createIdentityService, createOidcAuthenticator } from '../identity/index.js';
import { startProvenance, type ActionChange } from './provenance.js';
import { createIntake } from './intake.js';
import { artifactReadsFor } from './artifact-access-wiring.js';
import { hasPrincipalDetectors, startDetection, type Detection } from './detection.js';
import { startPartitionedDetection, startRemoteDetection } from './partitioned-detection.js';
import { createPhases, ROLES, type Role } from './phases.js';
import { startResponderLeader } from './respond-leader.js';
import { holdEmbeddedDetection } from './role-mix.js';
import { startResponder } from './respond-wiring.js';
import { createMetrics } from './metrics.js';
import { createAdminServices } from './services.js';
import { startWitnessPusher } from './witness-pusher.js';
import { createLossReporter } from './ledger-loss.js';
import { createHealth } from './health.js';
import { listenHttp } from './http-server.js';
import { startConsole } from './console-wiring.js';
import {
  readMetricsToken,
  registerOperatorMetrics,
  type OperatorMetrics,
} from './operator-metrics.js';
import { caseRoutes } from './case-wiring.js';
import { detectorStateOf, forensicsRoutes } from './forensics-wiring.js';
import { aisocVersion, startAlertSinks } from './sinks-wiring.js';
import { startDeadlineWatch } from './report-wiring.js';
import { suspendOnEscalation } from './escalation.js';
import { recordCircuitChanges } from './circuit-wiring.js';
import { createGatewayProber, type ProbeTarget } from './gateway-prober.js';
import {
  createServingCatalog,
  registryOnlyModels,
  type ServingCatalog,
} from './serving-catalog.js';
import { createSystemKey } from './system-principal.js';
import { startPrivacy } from './privacy-wiring.js';
import { createDecoyWatermarks } from './decoy-watermarks.js';

export interface RunningAisoc {
  /** Empty when this process has no `gateway` role. */
  gatewayUrl: string;
  /** Empty when this process has no `admin` role. */
  adminUrl: string;
  /** The roles this process runs, and the phases it started (in order). */
  roles: readonly Role[];
  phases: readonly string[];
  gatewayId: string;
  store: Store;
  ledger: LedgerWriter;
  bus: Bus;
  /** The policy snapshot this process enforces now. */
  policy(): PolicySnapshot;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: (line: string) => void;
  /** The roles to run (default: all, the embedded single process). */
  roles?: readonly Role[];
}

/**
 * Starts aisoc in ordered phases (store → bus → ledger → policy → respond → registry →
 * gateway models → detection → gateway → admin API), only those the roles need, and returns a
 * handle whose `close` stops them in the reverse order. With every role (the default) this is
 * the embedded single process; a role split on NATS is the scaled-out deployment (issue 16):
 * detection partitioned over the workers, one responder by lease.
 */
export async function startAisoc(
  config: Readonly<AisocConfig>,
  options: StartOptions = {},
): Promise<RunningAisoc> {
  const log = options.log ?? (() => {});
  const roles = options.roles ?? ROLES;
  const has = (role: Role) => roles.includes(role);
  // A role split on NATS is a scaled-out deployment; every role in one process is as before.
  const scaled = config.bus.driver === 'nats' && ROLES.some((r) => !has(r));
  const phases = createPhases(log);
  const close = () => phases.close();
  try {
    // ── store ──
    const { secrets, store } = await phases.run('store', async () => {
      const secrets = await prepareDataDir(config);
      const store = await createStore(config.store);
      await store.migrate().catch(async (e) => {
        await store.close();
        throw e;
      });
      return { handle: { secrets, store }, close: () => store.close() };
    });

    // ── bus (events) and policy channel ──
    const names = config.bus.driver === 'nats' ? deploymentNames(config.bus.subjectPrefix) : null;
    const bus: Bus = await phases.run('bus', async () => {
      const bus =
        config.bus.driver === 'nats'
          ? await createNatsBus({
              servers: config.bus.servers,
              subjectPrefix: config.bus.subjectPrefix,
              stream: config.bus.stream ?? names!.stream,
              name: 'aisoc',
            })
          : createMemoryBus({ onError: (e) => log(`bus handler failed: ${String(e)}`) });
      return { handle: bus, close: () => bus.close() };
    });
    const channel: PolicyChannel = await phases.run('channel', async () => {
      const channel =
        config.bus.driver === 'nats'
          ? await createNatsPolicyChannel({
              servers: config.bus.servers,
              bucket: config.bus.policyBucket ?? names!.policyBucket,
            })
          : createMemoryPolicyChannel();
      return { handle: channel, close: () => channel.close() };
    });
    const nats = config.bus.driver === 'nats' ? config.bus : null;
    const coordinationBucket = nats
      ? (nats.coordinationBucket ?? `${nats.subjectPrefix}_scale`)
      : '';
    const coordination =
      scaled && nats && has('respond')
        ? await phases.run('coordination', async () => {
            const co = await createNatsCoordination({
              servers: nats.servers,
              bucket: coordinationBucket,
            });
            return { handle: co, close: () => co.close() };
          })
        : null;

    // ── ledger ──
    const publishAlert = (alert: Alert) =>
      void bus
        .publish(Subjects.alertRaised, alert)
        .catch((e) => log(`alert publish failed: ${String(e)}`));
    const { ledger, witnessPusher } = await phases.run('ledger', async () => {
      const losses = createLossReporter({ log, raise: publishAlert });
      const ledger = await createLedgerWriter({
        store: config.store,
        streams: ['inference', 'audit'],
        key: secrets.ledgerKey,
        origin: config.ledger.origin,
        batchSize: config.ledger.batchSize,
        flushIntervalMs: config.ledger.flushIntervalMs,
        maxQueue: config.ledger.maxQueue,
        overflow: config.ledger.overflow,
        lockWaitMs: config.ledger.lockWaitMs,
        checkpointEvery: { ms: config.ledger.checkpointIntervalMs },
        onLoss: (loss) => losses.report(loss),
      }).catch((e) => {
        losses.close();
        throw e;
      });
      const witnessPusher = startWitnessPusher(config, store); // pushes checkpoints to ledger.witnesses
      return {
        handle: { ledger, witnessPusher },
        close: async () => {
          await witnessPusher?.close();
          await ledger.close();
          losses.close();
        },
      };
    });
    const audit = async (entry: AuditEntry) => {
      await ledger.appendDurable('audit', entry);
    };
    // ledger.retention (issue 19): one job beside the admin API, only when configured.
    if (has('admin') && Object.keys(config.ledger.retention).length > 0)
      await phases.run('retention', async () => {
        const job = startRetention({
          store,
          audit,
          retention: config.ledger.retention,
          intervalMs: config.ledger.retentionIntervalMs,
          log,
        });
        return { handle: job, close: () => job.close() };
      });

    // ── policy: API keys, the containment snapshot this process enforces, the action service ──
    const keyRepo = createKeyRepository(store.db);
    const actionRepo = createPolicyActionRepository(store.db);
    const keys = createKeyDirectory();
    const systemKey = createSystemKey(); // the integrity monitor's probes, memory only
    const reloadKeys = async () => {
      const all = await keyRepo.list();
      keys.replace(
        [systemKey.entry].concat(
          all.map((k) => ({
            hash: k.keyHash,
            key: {
              id: k.id,
              principal: k.principal,
              models: k.models,
              ratePerSecond: k.ratePerSecond,
              burst: k.burst,
            },
          })),
        ),
      );
    };
    const gatewayId = `${hostname()}-${process.pid}-${createId('gw').slice(-6)}`
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 128);
    let snapshot = buildPolicySnapshot(0, []);
    // Set once the registry is up: the gateway's versions, fed from the config and the registry.
    let serving: ServingCatalog | undefined = undefined;
    const servePins = async (next: PolicySnapshot) => {
      for (const [model, pin] of [...next.pinned, ...next.deployed])
        await serving
          ?.prepare(model, pin.version)
          .catch((e) =>
            log(`cannot serve pinned ${model}@${pin.version}: ${(e as Error).message}`),
          );
    };
    const checkInlineTarget = async (action: { model: string; keyId?: string }) => {
      const model = config.models.find((m) => m.id === action.model);
      if (!model) return `no model "${action.model}"`;
      if (!hasPrincipalDetectors(model))
        return `model "${action.model}" has no per-principal detectors to run inline (it needs a CSV baseline)`;
      if (action.keyId !== undefined && !(await keyRepo.findById(action.keyId)))
        return `no API key ${action.keyId}`;
      return null;
    };
    // Set once the registry is up: pins, lifts and deploys record deployments (issue 12).
    let recordServing = (_change: ActionChange): Promise<void> => Promise.resolve();
    const actions = await phases.run('policy', async () => {
      await reloadKeys();
      const policySub = await channel.watch(async (state) => {
        if (state.version < snapshot.version) return;
        const next = buildPolicySnapshot(state.version, state.actions);
        await servePins(next); // a pin published by another process: load its version first
        snapshot = next;
        await serving
          ?.recheck()
          .catch((e) => log(`cannot recheck registry versions: ${(e as Error).message}`));
        // Only a process that enforces the policy acknowledges it: time-to-contain waits for
        // every acking process, and a detector or admin process (alive or killed) enforces nothing.
        if (has('gateway')) await channel.ack(gatewayId, state.version);
        // Key changes travel as policy versions too (issue 14, finding 6). Reloaded after the
        // ack, so that the database read adds nothing to time-to-contain.
        await reloadKeys().catch((e) => log(`cannot reload API keys: ${(e as Error).message}`));
      });
      const actions = createActionService({
        afterChange: (change) =>
          recordServing(change).catch((e) => log(`cannot record the deployment: ${String(e)}`)),
        records: actionRepo,
        publisher: channel,
        audit,
        clock: systemClock,
        onPending: (e) =>
          log(`containment policy pending, will re-publish: ${(e as Error).message}`),
        checkTarget: async (action) => {
          if (action.kind === 'detect_inline') return checkInlineTarget(action);
          if ('keyId' in action && action.keyId && !(await keyRepo.findById(action.keyId)))
            return `no API key ${action.keyId}`;
          if (!('model' in action)) return null; // key actions: the key exists
          if ((action.kind === 'pin_version' || action.kind === 'deploy_version') && serving)
            return serving.checkPin(action.model, action.version);
          const model = config.models.find((m) => m.id === action.model);
          if (!model) return `no model "${action.model}"`;
          if (action.kind === 'rate_limit' && action.endpoint !== undefined)
            return endpointProblem(model.id, action.endpoint);
          if (
            action.kind === 'pin_version' &&
            !model.versions.some((v) => v.version === action.version)
          ) {
            return `model "${action.model}" has no version "${action.version}"`;
          }
          return null;
        },
      });
      await actions.republish();
      // After a NATS outage: publish what waited, and re-read keys changed while disconnected.
      channel.onReconnect?.(() => {
        actions.retryNow();
        void reloadKeys().catch((e) => log(`cannot reload API keys: ${(e as Error).message}`));
      });
      return {
        handle: actions,
        close: async () => {
          actions.close();
          await policySub.unsubscribe();
        },
      };
    });

    // ── respond (issue 7): alerts → incidents → playbooks → containment, evidence ──
    const auditQueued = (entry: AuditEntry) => ledger.append('audit', entry);
    // Set once the registry below is up; alerts before that carry no known-good version.
    let knownGoodVersion = (_model: string): Promise<string | undefined> =>
      Promise.resolve(undefined);
    // Set once detection is up: snapshots then take the live detector state (issue 12).
    let detectorSnapshot: (model: string) => unknown = () => undefined;
    const responder = await phases.run('respond', async () => {
      // The admin API reads incidents through the responder; only a `respond` role acts on alerts,
      // and at scale only the one holding the lease (respond-leader.ts).
      const acting = has('respond') && coordination === null;
      const responder = await startResponder(
        config,
        {
          knownGoodVersion: (model) => knownGoodVersion(model),
          detectorSnapshot: (model) => detectorSnapshot(model),
          store,
          bus,
          actions,
          channel,
          audit,
          auditQueued,
          log,
        },
        acting,
      );
      // Notification clocks under 25 % fire once per incident (report, issue 12).
      const deadlines = has('respond')
        ? startDeadlineWatch(config, responder, (s, d) => bus.publish(s, d), log)
        : async () => {};
      let started = acting;
      const leader = coordination
        ? startResponderLeader({
            coordination,
            owner: gatewayId,
            start: async () => {
              started = true;
              await responder.start();
            },
            stop: () => responder.close(),
            log,
          })
        : null;
      return {
        handle: responder,
        close: async () => {
          await deadlines();
          if (leader) await leader.close();
          if (!leader || !started) await responder.close();
        },
      };
    });
    // privacy (issue 19): field policies before the record, keys, erasure, subject export
    const privacy = await startPrivacy(config, {
      store,
      audit,
      log,
      incidents: () => responder.incidents.list({ limit: 100_000 }),
    });
    // ── end respond ──

    // --- registry (provenance): registry, rollback, inventory, threat model, integrity monitor
    let probeTarget: ProbeTarget | undefined = undefined;
    const provenance = await phases.run('registry', async () => {
      const provenance = startProvenance({
        config,
        store,
        audit,
        actions,
        probe: createGatewayProber({
          models: config.models,
          timeoutMs: config.gateway.upstreamTimeoutMs + config.gateway.bodyTimeoutMs,
          target: () => probeTarget,
        }),
        prepare: (model, version) => serving?.prepare(model, version) ?? Promise.resolve(),
        withdraw: (model, version) => serving?.withdraw(model, version),
        onAlert: publishAlert,
      });
      return { handle: provenance, close: () => provenance.close() };
    });
    recordServing = provenance.recordServing;
    knownGoodVersion = async (model) => {
      const { versions } = await provenance.services.registry.model(model);
      // The newest approved (known-good) version that is not the one serving now.
      return versions.filter((v) => v.state === 'approved').at(-1)?.version;
    };
    // --- end registry

    // ── gateway models: local ONNX sessions and the serving catalog ──
    const classCounts = new Map<string, number>(); // in-process versions, for decoy watermarks
    const catalog = has('gateway')
      ? await phases.run('models', async () => {
          const localModels = new Map<string, LocalModel>();
          const sessions: { close(): Promise<void> }[] = [];
          const unload = async () => {
            for (const loaded of sessions.splice(0)) await loaded.close();
          };
          try {
            for (const model of config.models) {
              for (const version of model.versions) {
                if (version.onnx === undefined) continue;
                const expectedDigest = version.digest?.replace(/^sha256:/, '');
                await provenance.services.registry.checkLoad(
                  model.id,
                  version.version,
                  version.onnx,
                );
                const loaded = await loadOnnxModel(
                  version.onnx,
                  expectedDigest ? { expectedDigest } : {},
                );
                localModels.set(`${model.id}@${version.version}`, loaded);
                classCounts.set(`${model.id}@${version.version}`, loaded.classCount);
                sessions.push(loaded);
              }
            }
          } catch (error) {
            await unload();
            throw error;
          }
          const catalog = createVersionCatalog(configuredVersions(config.models, localModels));
          serving = createServingCatalog({
            models: config.models,
            catalog,
            registry: provenance.services.registry,
            load: (file, expectedDigest) => loadOnnxModel(file, { expectedDigest }),
            audit,
            drainMs: config.gateway.upstreamTimeoutMs + config.gateway.bodyTimeoutMs,
          });
          await servePins(snapshot); // pins kept from before this start
          return {
            handle: catalog,
            close: async () => {
              await serving!.close();
              await unload();
            },
          };
        })
      : null;

    // ── detection ──
    // Every detector in this process: on NATS, never beside `--role detect` workers (role-mix.ts).
    const startEmbeddedDetection = async (): Promise<Detection> => {
      const guard = nats
        ? await holdEmbeddedDetection({
            servers: nats.servers,
            bucket: coordinationBucket,
            id: gatewayId,
            log,
          })
        : null;
      const detection = await startDetection({
        bus,
        models: config.models,
        trustedEvents: config.bus.driver === 'memory',
        checkpointFile: join(config.dataDir, 'detectors.checkpoint.json'),
        log,
      }).catch(async (e: unknown) => {
        await guard?.close();
        throw e;
      });
      return guard ? { ...detection, close: () => detection.close().then(guard.close) } : detection;
    };
    const detection: Detection = await phases.run('detection', async () => {
      const detection = !has('detect')
        ? await startRemoteDetection(bus)
        : scaled && nats
          ? await startPartitionedDetection({
              bus,
              servers: nats.servers,
              bucket: coordinationBucket,
              workerId: gatewayId,
              models: config.models,
              partitions: nats.partitions,
              log,
            })
          : await startEmbeddedDetection();
      return { handle: detection, close: () => detection.close() };
    });
    detectorSnapshot = (model) => detectorStateOf(detection, model);

    // ── gateway ──
    const partitions = scaled && nats ? nats.partitions : 0;
    const metricsFeed: { current?: OperatorMetrics } = {}; // set once the metrics registry exists
    const events: EventSink = privacy.sink({
      record(event: InferenceEvent, durable: boolean) {
        metricsFeed.current?.observeInference(event);
        // At scale the subject carries the event's partition (its key or source network), so
        // that one detector worker sees all of one subject's events.
        const subject =
          partitions > 0
            ? inferenceSubject(
                event.model || '_unknown',
                partitionToken(eventPartition(event, partitions)),
              )
            : inferenceSubject(event.model || '_unknown');
        const publish = () =>
          bus
            .publish(subject, privacy.busView(event))
            .catch((e) => log(`bus publish failed: ${String(e)}`));
        if (durable)
          return ledger.appendDurable('inference', event).then(({ seq }) => {
            // Fail closed whatever `overflow` says: a durable gateway never answers unrecorded.
            if (seq === null)
              throw new AppError('LEDGER_BACKPRESSURE', 'the ledger queue is full', {
                status: 503,
              });
            void publish();
          });
        ledger.append('inference', event);
        void publish();
      },
      aggregate(entry) {
        try {
          ledger.append('audit', entry);
        } catch (e) {
          log(`unauthenticated-request aggregate not recorded: ${(e as Error).message}`);
        }
      },
    });
    const health = createHealth({
      durable: config.gateway.durability === 'durable',
      ledger: () => ledger.stats(),
      store,
      ...(config.bus.driver === 'nats'
        ? { busConnected: () => (bus.connected?.() ?? true) && (channel.connected?.() ?? true) }
        : {}),
    });
    const gateway = catalog
      ? await phases.run('gateway', async () => {
          const gateway = createGateway({
            health,
            config: config.gateway,
            models: config.models,
            keys,
            policy: () => snapshot,
            catalog,
            registryModel: registryOnlyModels(config.models, () => snapshot),
            events,
            // Blocking mode needs the detector state in this process: not at scale.
            ...(has('detect') && !scaled ? { inlineDetection: detection.inline } : {}),
            onEscalate: suspendOnEscalation(actions, log),
            onUpstream: (model, s, status) =>
              metricsFeed.current?.observeUpstream(model, s, status),
            onCircuitChange: recordCircuitChanges(audit, bus, gatewayId, log),
            onError: (e) => log(`gateway error: ${(e as Error)?.stack ?? String(e)}`),
            decoyWatermarks: createDecoyWatermarks(config.models, config.dataDir, (m) =>
              m.versions.map((v) => classCounts.get(`${m.id}@${v.version}`)).find((c) => c),
            ),
          });
          const url = await gateway.listen();
          probeTarget = { url, secret: systemKey.secret };
          return { handle: { gateway, url }, close: () => gateway.close() };
        })
      : null;

    // ── admin API ──
    const adminUrl = has('admin')
      ? await phases.run('admin', async () => {
          const registry = createMetrics({
            gateway: () => gateway?.gateway.stats() ?? NO_GATEWAY_STATS,
            ledger: () => ledger.stats(),
            keys: () => keys.size,
            policyVersion: () => snapshot.version,
          });
          const opMetrics = registerOperatorMetrics(registry, {
            models: config.models.map((m) => m.id),
            incidentsOpen: async () => (await responder.incidents.list({ open: true })).length,
            actionsActive: async () => (await actions.list({ active: true })).map((a) => a.action),
            detectorState: () => detection.runner.memory(),
          });
          metricsFeed.current = opMetrics;
          // Alerts to SOC tools (issue 12), from the admin process: one per deployment.
          const version = await aisocVersion(); // CEF device version, read once
          const sinks = await startAlertSinks(config, log, version);
          const alertFeed = await bus.subscribe<Alert>(Subjects.alertRaised, (m) => {
            opMetrics.observeAlert(m.data);
            sinks.deliver(m.data);
          });
          const services = createAdminServices({
            detection,
            config,
            store,
            bus,
            ledger,
            ledgerKey: secrets.ledgerKey,
            keyRepo,
            actions,
            channel,
            registry,
            gatewayId,
            ...(witnessPusher ? { witnesses: () => witnessPusher.lag() } : {}),
            health,
            reloadKeys,
          });
          const consoleUrls: { gatewayUrl?: string; adminUrl?: string } = {
            ...(gateway ? { gatewayUrl: gateway.url } : {}),
          };
          const web = await startConsole({
            config,
            responder,
            services,
            bus,
            adminToken: secrets.adminToken,
            urls: () => consoleUrls,
            log,
          }); // console (issue 13)
          const api = createAdminApi({
            services,
            token: secrets.adminToken,
            identities: createIdentityService({
              db: store.db,
              adminToken: secrets.adminToken,
              external: config.admin.oidc
                ? [createOidcAuthenticator({ ...config.admin.oidc, onRefused: log })]
                : [],
            }),
            audit: (entry) => audit({ ...entry }),
            metricsToken: await readMetricsToken(config.admin.metricsTokenFile),
            routes: [
              (actor) => createRespondRoutes(responder, actor), // respond (issue 7)
              ...forensicsRoutes({
                config,
                store,
                responder,
                ledger,
                ledgerKey: secrets.ledgerKey,
                sinks,
                version,
                eventView: privacy.eventView, // privacy (issue 19)
              }), // forensics (issue 12)
              privacy.routes, // privacy (issue 19)
              caseRoutes({ config, store, responder, ledger }), // console case view (issue 13)
              web.routes, // console (issue 13)
            ],
            onError: (e, id) => log(`admin API error (${id}): ${(e as Error)?.stack ?? String(e)}`),
          });
          // --- registry: the routes of the provenance built before the models load
          // Data audit and model-file upload; a refused approval quarantines and alerts (intake.ts).
          const intake = createIntake({
            config,
            registry: provenance.services.registry,
            audit,
            raise: publishAlert,
          });
          registerRegistryRoutes(api, {
            ...provenance.services,
            onApprovalRefused: (m, v, e, actor) => intake.onApprovalRefused(m, v, e, actor),
            // Model-file downloads, each read audited (issue 20 item 10).
            artifactReads: artifactReadsFor(
              config,
              provenance.services.registry,
              audit,
              publishAlert,
            ),
          });
          registerIntakeRoutes(api, intake);
          // --- end registry
          const adminServer = await listenHttp(web.serve(api.fetch), config.admin);
          consoleUrls.adminUrl = adminServer.url;
          return {
            handle: adminServer.url,
            close: async () => {
              await new Promise<void>((resolve) => adminServer.server.close(() => resolve()));
              await alertFeed.unsubscribe();
              await sinks.close();
              await web.close();
            },
          };
        })
      : '';

    return {
      gatewayUrl: gateway?.url ?? '',
      adminUrl,
      roles: [...roles],
      phases: phases.started(),
      gatewayId,
      store,
      ledger,
      bus,
      policy: () => snapshot,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

const NO_GATEWAY_STATS = {
  requests: 0,
  byOutcome: {},
  byStatus: {},
  eventsRefused: 0,
} as unknown as ReturnType<ReturnType<typeof createGateway>['stats']>;

import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayConfig, ModelConfig } from '../config/index.js';
import {
  createId,
  isAppError,
  type Fallback,
  type InferenceEvent,
  type InferenceOutcome,
  type PolicySnapshot,
  canonicalJson,
  jsonDepthExceeds,
  MAX_JSON_DEPTH,
  inputRuleMatches,
  sha256Hex,
  appendPolicyStep,
  CIRCUIT_BREAKER_STEP,
  DECOY_WATERMARK_STEP,
  formatPolicyStep,
  isContainmentKind,
  parsePolicyTrace,
  type DecoyWatermark,
} from '../core/index.js';
import { hashApiKey, readApiKey, type GatewayKey, type KeyDirectory } from './api-keys.js';
import { GatewayError, publicRefusal } from './errors.js';
import { detectionBlocked, inlineDetectionFor, type InlineDetection } from './inline-detection.js';
import { hardenAnswer } from './output-hardening.js';
import { watermarkAnswer, watermarkedRows } from './watermark.js';
import {
  checkJsonContentType,
  decodeRequest,
  encodeAnswer,
  extractOutputs,
  inferPath,
  matchRoute,
  readBody,
} from '../protocol/index.js';
import { checkProtocol, toGatewayError, type InferenceRoute } from './protocols.js';
import { modelInfo } from './model-info.js';
import { createSourceGuard, type SourceAggregate } from './source-guard.js';
import { createRefusalMemory } from './refusal-memory.js';
import { admitRows, rowLimitsFor } from './row-limits.js';
import { sharedLimitsFor, sharedRowLimits, type SharedLimit } from './shared-limits.js';
import { createTokenBuckets } from './token-bucket.js';
import {
  createCircuitBreaker,
  type CircuitBreaker,
  type CircuitChange,
  type CircuitState,
} from './circuit-breaker.js';
import { createUpstreams } from './upstreams.js';
import {
  configuredVersions,
  createVersionCatalog,
  type ServedVersion,
  type VersionCatalog,
} from './version-catalog.js';

/** A model run in-process (the serve module's ONNX sessions fit this shape). */

/** How long `close` lets in-flight requests finish before it cuts their connections. */
const CLOSE_GRACE_MS = 10_000;
export interface LocalModel {
  readonly digest: string;
  infer(rows: number[][]): Promise<{ probabilities: number[][]; labels: number[] }>;
}

/**
 * Where events go. In async mode the gateway does not wait for `record`; in durable mode it
 * answers only after the returned promise resolves. `record` throws synchronously (an AppError
 * with code LEDGER_BACKPRESSURE) when it refuses an event because its queue is full.
 */
export interface EventSink {
  record(event: InferenceEvent, durable: boolean): void | Promise<void>;
  /**
   * Takes the per-source aggregates of unauthenticated requests; with it, those requests are
   * not recorded one by one (a flood of 401s costs one entry per source and window).
   */
  aggregate?(entry: SourceAggregate): void;
}

export interface GatewayOptions {
  config: GatewayConfig;
  models: readonly ModelConfig[];
  keys: KeyDirectory;
  policy: () => PolicySnapshot;
  /** In-process models of the configured versions, by `${model}@${version}` (without `catalog`). */
  localModels?: ReadonlyMap<string, LocalModel>;
  /** Every version the gateway can route to; default: the configured ones with `localModels`. */
  catalog?: VersionCatalog;
  /** A model absent from the config that the registry deploys (one Map lookup per request). */
  registryModel?: (id: string) => ModelConfig | undefined;
  events: EventSink;
  /** Blocking mode's detectors; without them every query is answered first (monitor mode). */
  inlineDetection?: InlineDetection;
  /** Readiness for /healthz, /readyz and /v2/health/ready (503 when not ready); live is always 200. */
  health?: () => Promise<{ ready: boolean }>;
  /**
   * Called when blocking detection has refused one key's queries on a model
   * `detection.escalateAfterTrips` times (the composition root suspends the key).
   */
  onEscalate?: (escalation: Escalation) => void;
  /**
   * Told how long each upstream call took, in seconds, and its HTTP status (0: no answer,
   * a timeout or a refused connection). For metrics; called off nothing, must not throw.
   */
  onUpstream?: (model: string, seconds: number, status: number) => void;
  /** Told when a model's circuit breaker opens, half-opens or closes (audit and alert). */
  onCircuitChange?: (change: CircuitChange) => void;
  onError?: (error: unknown) => void;
  /** Decoy models whose answers carry the keyed watermark (docs/decoys.md), by model id. */
  decoyWatermarks?: ReadonlyMap<string, DecoyWatermark>;
}

/** A key whose queries blocking detection refused too often: the last finding and the count. */
export interface Escalation {
  keyId: string;
  principal: string;
  model: string;
  trips: number;
  detector: string;
  alertId: string;
}

export interface GatewayStats {
  requests: number;
  byOutcome: Record<InferenceOutcome, number>;
  byStatus: Record<string, number>;
  eventsRefused: number;
  /** The circuit breaker state of every model that has one. */
  circuits?: Record<string, CircuitState>;
}

export interface Gateway {
  readonly server: Server;
  listen(): Promise<string>;
  close(): Promise<void>;
  stats(): GatewayStats;
}

interface Exchange {
  started: number;
  id: string;
  requestId: string;
  source: string;
  route: InferenceRoute | null;
  key: GatewayKey | null;
  version: ServedVersion | null;
  rows: number[][] | null;
  policyAction: string | null;
  /** The model's outputs when inline detection withheld them (kept in the event, not sent). */
  withheld: unknown[] | null;
  /** The data subject named in the body at `models[].subject`, when configured. */
  subject?: string;
  /** Request fields `models[].privacy.request` names (clear; the privacy policy applies). */
  requestFields?: Record<string, unknown>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The inference gateway: authenticate → contain → validate → forward → record. */
export function createGateway(options: GatewayOptions): Gateway {
  const { config, keys, policy, events } = options;
  const configured = new Map(options.models.map((m) => [m.id, m]));
  const models = {
    get: (id: string) => configured.get(id) ?? options.registryModel?.(id),
  };
  const catalog =
    options.catalog ??
    createVersionCatalog(configuredVersions(options.models, options.localModels ?? new Map()));
  const buckets = createTokenBuckets();
  const sourceGuard = createSourceGuard(config.unauthenticated);
  const drainSources = (all: boolean) => {
    for (const entry of sourceGuard.drain(all)) events.aggregate?.(entry);
  };
  const sourceTimer = setInterval(
    () => drainSources(false),
    Math.max(100, Math.min(1_000, config.unauthenticated.windowMs / 4)),
  );
  sourceTimer.unref();
  const rowBuckets = createTokenBuckets();
  const breakers = new Map<string, CircuitBreaker>();
  for (const m of options.models)
    if (m.circuitBreaker)
      breakers.set(
        m.id,
        createCircuitBreaker(m.id, m.circuitBreaker, (c) => options.onCircuitChange?.(c)),
      );
  const refusals = createRefusalMemory();
  const blockingModels = new Set(
    options.models.filter((m) => m.detection?.mode === 'blocking').map((m) => m.id),
  );
  const upstreams = createUpstreams({
    connections: config.upstreamConnections,
    maxResponseBytes: 16 * config.bodyLimitBytes,
  });
  const stats: GatewayStats = {
    requests: 0,
    byOutcome: { ok: 0, rejected: 0, upstream_error: 0, fallback: 0 },
    byStatus: {},
    eventsRefused: 0,
  };

  const server = createServer(
    {
      requestTimeout: config.bodyTimeoutMs + config.upstreamTimeoutMs,
      headersTimeout: config.bodyTimeoutMs,
    },
    (req, res) => {
      handle(req, res).catch((error) => {
        options.onError?.(error);
        if (!res.headersSent)
          sendJson(res, 500, errorBody('GATEWAY_INTERNAL', 'internal error', 500), '');
      });
    },
  );
  server.keepAliveTimeout = 30_000;
  server.maxConnections = config.maxConnections; // beyond it, new sockets are closed at once

  // Formatting a Date costs about a microsecond; events in the same millisecond share it.
  let isoMs = -1;
  let isoText = '';
  function isoNow(): string {
    const ms = Date.now();
    if (ms !== isoMs) {
      isoMs = ms;
      isoText = new Date(ms).toISOString();
    }
    return isoText;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const id = createId('evt');
    const headerId = req.headers['x-request-id'];
    const ex: Exchange = {
      started,
      id,
      requestId: typeof headerId === 'string' && REQUEST_ID.test(headerId) ? headerId : id,
      source: sourceAddress(req),
      route: null,
      key: null,
      version: null,
      rows: null,
      policyAction: null,
      withheld: null,
    };
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const route = matchRoute(req.method ?? 'GET', path);
    if (route.kind === 'health') {
      if (route.probe === 'live' || !options.health) {
        sendJson(res, 200, { status: 'ok' }, ex.requestId);
        return;
      }
      const report = await options.health();
      sendJson(res, report.ready ? 200 : 503, report, ex.requestId);
      return;
    }
    if (
      route.kind === 'server-metadata' ||
      route.kind === 'model-metadata' ||
      route.kind === 'model-ready'
    ) {
      // Not inference: answered from the config, for a valid key, and not recorded as an event.
      try {
        const model = route.kind === 'server-metadata' ? undefined : models.get(route.model);
        if (route.kind !== 'server-metadata' && !model)
          throw new GatewayError(
            'GATEWAY_MODEL_UNKNOWN',
            `unknown model "${truncate(route.model)}"`,
          );
        authenticate(req);
        sendJson(res, 200, modelInfo(route, model), ex.requestId);
      } catch (error) {
        const e = error instanceof GatewayError ? error : toGatewayError(error);
        const refusal = publicRefusal(e);
        sendJson(
          res,
          refusal.status,
          errorBody(refusal.code, refusal.message, refusal.status, refusal.details),
          ex.requestId,
        );
      }
      return;
    }
    try {
      if (route.kind === 'method-not-allowed') {
        res.setHeader('allow', route.allow.join(', '));
        throw new GatewayError(
          'GATEWAY_METHOD_NOT_ALLOWED',
          `use ${route.allow.join(' or ')}, not ${truncate(req.method ?? '')}`,
        );
      }
      if (route.kind === 'unknown')
        throw new GatewayError('GATEWAY_ROUTE_UNKNOWN', `no inference route at ${truncate(path)}`);
      ex.route = route;
      const answer = await serve(req, ex, route);
      await finish(res, ex, answer.status, answer.body, answer.outcome, answer.outputs, null);
    } catch (error) {
      let e = error instanceof GatewayError ? error : toGatewayError(error);
      if (e.code === 'GATEWAY_INTERNAL') options.onError?.(error);
      // Never authenticated: limited per source, and aggregated instead of recorded one by one.
      const unauthenticated = ex.key === null && e.status < 500;
      if (unauthenticated) {
        const wait = sourceGuard.limitedFor(ex.source);
        if (wait > 0)
          e = new GatewayError(
            'GATEWAY_SOURCE_LIMITED',
            'too many unauthenticated requests from this address; slow down',
            { retryAfterSeconds: wait },
          );
        sourceGuard.refused(ex.source, e.code, ex.route?.model ?? null);
      }
      const outcome: InferenceOutcome =
        e.status === 502 || e.status === 504 ? 'upstream_error' : 'rejected';
      const action = e.details?.action;
      const actionId = e.details?.actionId;
      if (isContainmentKind(action) && typeof actionId === 'string')
        ex.policyAction = appendPolicyStep(ex.policyAction, { kind: action, actionId });
      const refusal = publicRefusal(e);
      const body = Buffer.from(
        JSON.stringify({
          ...errorBody(refusal.code, refusal.message, refusal.status, refusal.details),
          requestId: ex.requestId,
        }),
      );
      // The unread rest of a refused body would be taken for the next request: close instead.
      if (e.code === 'GATEWAY_BODY_TOO_LARGE' || e.code === 'GATEWAY_BODY_TIMEOUT') {
        res.setHeader('connection', 'close');
      }
      const wait = e.details?.retryAfterSeconds;
      if (e.status === 429 && typeof wait === 'number' && Number.isFinite(wait)) {
        res.setHeader('retry-after', String(Math.ceil(wait)));
      }
      const aggregated = unauthenticated && events.aggregate !== undefined;
      await finish(res, ex, e.status, body, outcome, ex.withheld, e.code, aggregated);
    }
  }

  async function serve(req: IncomingMessage, ex: Exchange, route: InferenceRoute) {
    const model = models.get(route.model);
    if (!model)
      throw new GatewayError('GATEWAY_MODEL_UNKNOWN', `unknown model "${truncate(route.model)}"`);
    checkProtocol(route, model);
    const key = authenticate(req);
    ex.key = key;
    const snapshot = policy();
    const shared = key.system === true ? [] : sharedLimitsFor(snapshot, route);
    enforceKeyPolicy(key, snapshot, route.model, shared);
    checkJsonContentType(req.headers['content-type']);
    const raw = await readBody(req, config.bodyLimitBytes, config.bodyTimeoutMs);
    const depth = jsonDepthExceeds(raw);
    if (depth !== null)
      throw new GatewayError(
        'GATEWAY_BODY_TOO_DEEP',
        `the body nests deeper than ${MAX_JSON_DEPTH} levels`,
        { maxDepth: MAX_JSON_DEPTH },
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new GatewayError(
        'GATEWAY_BODY_INVALID_JSON',
        `the body is not valid JSON: ${(error as Error).message}`,
      );
    }
    const request = decodeRequest(route.protocol, parsed, {
      featureCount: model.featureCount,
      generic: model.generic,
    });
    const rows = request.rows;
    ex.rows = rows;
    if (model.subject !== undefined) ex.subject = subjectAt(parsed, model.subject);
    if (model.privacy?.request.length) ex.requestFields = fieldsAt(parsed, model.privacy.request);
    enforceRowLimits(key, snapshot, model, rows.length, shared);
    enforceInputRules(snapshot, model.id, rows);
    // A query blocking detection refused stays refused when sent again (refusal-memory.ts).
    if (!key.system && refusals.refusedRow(key.id, model.id, rows) >= 0)
      throw new GatewayError(
        'GATEWAY_DETECTION_BLOCKED',
        `answer withheld: key ${key.id} was refused this row on model "${model.id}" before`,
        { action: 'detect_inline', reason: 'resent' },
      );
    // The system's own probes address one version and must reach it, whatever contains clients.
    const probe = key.system === true && route.version !== null;
    const isolation = probe ? undefined : snapshot.isolated.get(model.id);
    if (isolation) {
      ex.policyAction = formatPolicyStep({ kind: 'isolate_model', actionId: isolation.actionId });
      return fallback(isolation.fallback ?? model.fallback, ex, route, raw);
    }
    const pinned = probe ? undefined : snapshot.pinned.get(model.id);
    if (pinned)
      ex.policyAction = formatPolicyStep({ kind: 'pin_version', actionId: pinned.actionId });
    const versionId =
      pinned?.version ??
      route.version ??
      snapshot.deployed.get(model.id)?.version ??
      model.activeVersion ??
      model.versions.at(-1)?.version;
    const version = versionId === undefined ? undefined : catalog.get(model.id, versionId);
    if (!version)
      throw new GatewayError(
        'GATEWAY_MODEL_UNKNOWN',
        `model "${model.id}" has no version "${truncate(versionId ?? '')}"`,
      );
    ex.version = version;
    const breaker = probe ? undefined : breakers.get(model.id);
    if (breaker && !breaker.admit()) {
      ex.policyAction = appendPolicyStep(ex.policyAction, {
        kind: CIRCUIT_BREAKER_STEP,
        actionId: 'open',
      });
      if (model.fallback && model.fallback.kind !== 'reject')
        return fallback(model.fallback, ex, route, raw);
      throw new GatewayError(
        'GATEWAY_CIRCUIT_OPEN',
        `model "${model.id}" is failing: its circuit breaker is open and it has no fallback`,
      );
    }
    let answer: Awaited<ReturnType<typeof invoke>>;
    try {
      answer = await invoke(version, ex, route, raw, rows);
    } catch (error) {
      const status = error instanceof GatewayError ? error.status : 500;
      breaker?.record(status >= 500 ? 'error' : 'refused');
      throw error;
    }
    breaker?.record(answer.status >= 500 ? 'error' : answer.status >= 400 ? 'refused' : 'ok');
    if (options.inlineDetection && !probe && answer.outcome === 'ok' && answer.status < 300) {
      const by = inlineDetectionFor(snapshot, blockingModels, model.id, key.id);
      if (by !== null) inspectInline(options.inlineDetection, ex, by, answer, model);
    }
    if (probe || answer.status >= 300 || answer.outcome !== 'ok') return answer;
    const keyed = `${model.id}\u0000${key.id}`;
    let body = answer.body;
    const watermark = snapshot.watermarked.get(keyed);
    if (watermark) {
      const marked = watermarkedRows(watermark.actionId, model.id, key.id, rows, watermark.share);
      if (marked.length > 0) {
        // The event keeps the model's own outputs; the mark says which rows were altered.
        ex.policyAction = appendPolicyStep(ex.policyAction, {
          kind: 'watermark',
          actionId: watermark.actionId,
          rows: marked,
        });
        body = watermarkAnswer(route.protocol, body, new Set(marked), model.generic);
      }
    }
    const decoy = options.decoyWatermarks?.get(model.id);
    if (decoy) {
      const marked = rows.flatMap((row, i) => (decoy.isTrigger(row) ? [i] : []));
      if (marked.length > 0) {
        ex.policyAction = appendPolicyStep(ex.policyAction, {
          kind: DECOY_WATERMARK_STEP,
          actionId: 'config',
          rows: marked,
        });
        body = watermarkAnswer(route.protocol, body, new Set(marked), model.generic, (scores, i) =>
          scores.length === decoy.classCount ? decoy.keyedScores(rows[i]!) : [...scores],
        );
      }
    }
    const hardening = snapshot.keyHardened.get(keyed) ?? snapshot.hardened.get(model.id);
    if (hardening) {
      ex.policyAction = appendPolicyStep(ex.policyAction, {
        kind: 'harden_output',
        actionId: hardening.actionId,
      });
      body = hardenAnswer(route.protocol, body, hardening, model.generic);
    }
    return body === answer.body ? answer : { ...answer, body };
  }

  /** Blocking mode: the query's own detectors run before the answer leaves; a finding withholds it. */
  function inspectInline(
    inline: InlineDetection,
    ex: Exchange,
    by: string,
    answer: { status: number; outcome: InferenceOutcome; outputs: unknown[] | null },
    model: ModelConfig,
  ): void {
    // The detectors need the features even when the ledger is told not to keep them.
    const event = {
      ...buildEvent(ex, answer.status, answer.outcome, answer.outputs, null),
      features: ex.rows,
    };
    const verdict = inline.inspect(event);
    // Set after inspecting: the recorded event carries the mark, the inspected one did not.
    ex.policyAction = appendPolicyStep(ex.policyAction, { kind: 'detect_inline', actionId: by });
    if (verdict) {
      ex.withheld = answer.outputs;
      const key = ex.key!;
      const trips = refusals.trip(key.id, model.id, ex.rows ?? []);
      const after = model.detection?.escalateAfterTrips ?? 3;
      if (after > 0 && trips >= after) {
        refusals.resetCount(key.id, model.id);
        options.onEscalate?.({
          keyId: key.id,
          principal: key.principal,
          model: model.id,
          trips,
          detector: verdict.detector,
          alertId: verdict.alertId,
        });
      }
      throw detectionBlocked(verdict, by);
    }
  }

  /** Rows cost tokens too: the key's (containment or default) limit, its model's, its quota. */
  function enforceRowLimits(
    key: GatewayKey,
    snapshot: PolicySnapshot,
    model: ModelConfig,
    rows: number,
    shared: readonly SharedLimit[],
  ): void {
    if (key.system === true) return;
    const limits = rowLimitsFor(
      key.id,
      snapshot.rateLimits.get(key.id),
      config.defaultRateLimit,
      model,
    );
    if (shared.length > 0) limits.push(...sharedRowLimits(shared));
    const refused = limits.length === 0 ? null : admitRows(rowBuckets, limits, rows);
    if (!refused) return;
    const { limit, wait } = refused;
    throw new GatewayError(
      'GATEWAY_RATE_LIMITED',
      `${limit.describe}: ${rows} row(s) ${Number.isFinite(wait) ? 'refused' : `exceed the burst of ${limit.rowBurst} rows`}`,
      {
        ...(Number.isFinite(wait) ? { retryAfterSeconds: wait } : {}),
        ...(limit.actionId ? { action: 'rate_limit', actionId: limit.actionId } : {}),
      },
    );
  }

  function enforceInputRules(snapshot: PolicySnapshot, model: string, rows: number[][]): void {
    const rules = snapshot.inputRules.get(model);
    if (!rules) return;
    rows.forEach((row, i) => {
      let digest: string | undefined;
      const rowDigest = () => (digest ??= sha256Hex(canonicalJson(row)));
      const hit = rules.find(({ rule }) => inputRuleMatches(rule, row, rowDigest));
      if (hit) {
        throw new GatewayError(
          'GATEWAY_INPUT_BLOCKED',
          `row ${i} matches input rule of containment action ${hit.actionId} (block_input)`,
          {
            action: 'block_input',
            actionId: hit.actionId,
          },
        );
      }
    });
  }

  function authenticate(req: IncomingMessage): GatewayKey {
    const secret = readApiKey(req.headers);
    if (secret === undefined)
      throw new GatewayError(
        'GATEWAY_KEY_MISSING',
        'send an API key as "Authorization: Bearer <key>" or "x-api-key"',
      );
    const key = keys.lookup(hashApiKey(secret));
    if (!key) throw new GatewayError('GATEWAY_KEY_INVALID', 'the API key is not known');
    return key;
  }

  function enforceKeyPolicy(
    key: GatewayKey,
    snapshot: PolicySnapshot,
    model: string,
    shared: readonly SharedLimit[],
  ): void {
    const state = snapshot.keys.get(key.id);
    if (state) {
      const code = state.state === 'revoked' ? 'GATEWAY_KEY_REVOKED' : 'GATEWAY_KEY_SUSPENDED';
      const action = state.state === 'revoked' ? 'revoke_key' : 'suspend_key';
      throw new GatewayError(
        code,
        `key ${key.id} is ${state.state} by containment action ${state.actionId} (${action})`,
        { action, actionId: state.actionId },
      );
    }
    if (key.models !== null && !key.models.includes(model)) {
      throw new GatewayError(
        'GATEWAY_MODEL_FORBIDDEN',
        `key ${key.id} may not call model "${truncate(model)}"`,
      );
    }
    // Every bucket pays or none does: a request the model's limit refuses costs the key nothing.
    for (const { bucket, policy: p, describe } of shared) {
      const wait = buckets.wait(bucket, p.ratePerSecond, p.burst);
      if (wait > 0)
        throw new GatewayError(
          'GATEWAY_RATE_LIMITED',
          `${describe}: over ${p.ratePerSecond} requests/s`,
          { retryAfterSeconds: wait, action: 'rate_limit', actionId: p.actionId },
        );
    }
    const limit = snapshot.rateLimits.get(key.id);
    const rate = limit?.ratePerSecond ?? key.ratePerSecond ?? config.defaultRateLimit.ratePerSecond;
    const burst = limit?.burst ?? key.burst ?? config.defaultRateLimit.burst;
    const wait = buckets.take(key.id, rate, burst);
    if (wait > 0) {
      throw new GatewayError(
        'GATEWAY_RATE_LIMITED',
        `key ${key.id} is over ${rate} requests/s${limit ? ` (containment action ${limit.actionId})` : ''}`,
        {
          retryAfterSeconds: wait,
          ...(limit ? { action: 'rate_limit', actionId: limit.actionId } : {}),
        },
      );
    }
    for (const { bucket, policy: p } of shared) buckets.take(bucket, p.ratePerSecond, p.burst);
  }

  async function fallback(
    target: Fallback | undefined,
    ex: Exchange,
    route: InferenceRoute,
    raw: Buffer,
  ) {
    if (target?.kind === 'static') {
      return {
        status: target.status,
        body: Buffer.from(JSON.stringify(target.body ?? null)),
        outcome: 'fallback' as const,
        outputs: null,
      };
    }
    if (target?.kind === 'upstream') {
      const answer = await forward(target.upstream, ex, route, raw);
      return { ...answer, outcome: 'fallback' as const };
    }
    throw new GatewayError(
      'GATEWAY_MODEL_ISOLATED',
      `model "${route.model}" is isolated by containment action ${parsePolicyTrace(ex.policyAction)[0]?.actionId} and has no fallback`,
      {
        action: 'isolate_model',
      },
    );
  }

  async function invoke(
    version: ServedVersion,
    ex: Exchange,
    route: InferenceRoute,
    raw: Buffer,
    rows: number[][],
  ) {
    if ('local' in version) {
      const { local } = version;
      if (!local)
        throw new GatewayError(
          'GATEWAY_MODEL_FAILED',
          `model "${route.model}" version ${version.version} is not loaded`,
        );
      let result: { probabilities: number[][]; labels: number[] };
      try {
        result = await local.infer(rows);
      } catch (error) {
        if (isAppError(error) && error.status === 400)
          throw new GatewayError('GATEWAY_INPUT_INVALID', error.message);
        throw new GatewayError(
          'GATEWAY_MODEL_FAILED',
          `model "${route.model}" failed: ${(error as Error).message}`,
        );
      }
      const body = Buffer.from(
        JSON.stringify(
          encodeAnswer(
            { protocol: route.protocol, rows },
            { id: route.model, version: version.version },
            result,
          ),
        ),
      );
      return {
        status: 200,
        body,
        outcome: 'ok' as const,
        outputs: finiteOrNull(result.probabilities),
      };
    }
    return forward(version.upstream, ex, route, raw);
  }

  async function forward(upstream: string, ex: Exchange, route: InferenceRoute, raw: Buffer) {
    const model = models.get(route.model)!;
    const url =
      model.protocol === 'generic-json'
        ? upstream
        : joinUrl(upstream, inferPath(route.protocol, route.model, route.version));
    const sent = performance.now();
    let status = 0;
    const answer = await upstreams
      .post(
        url,
        raw,
        { 'content-type': 'application/json', 'x-request-id': ex.requestId },
        config.upstreamTimeoutMs,
      )
      .then((a) => ((status = a.status), a))
      .finally(() => options.onUpstream?.(route.model, (performance.now() - sent) / 1000, status));
    let outputs: unknown[] | null = null;
    if (answer.status < 300 && answer.contentType?.includes('json')) {
      try {
        outputs = extractOutputs(
          route.protocol,
          JSON.parse(answer.body.toString('utf8')),
          model.generic,
        );
      } catch {
        outputs = null;
      }
    }
    const outcome: InferenceOutcome = answer.status >= 500 ? 'upstream_error' : 'ok';
    return { status: answer.status, body: answer.body, outcome, outputs };
  }

  async function finish(
    res: ServerResponse,
    ex: Exchange,
    status: number,
    body: Buffer,
    outcome: InferenceOutcome,
    outputs: unknown[] | null,
    errorCode: string | null,
    aggregated = false,
  ) {
    stats.requests++;
    stats.byOutcome[outcome]++;
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    if (aggregated) {
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': body.length,
        'x-request-id': ex.requestId,
      });
      res.end(body);
      return;
    }
    const event = buildEvent(ex, status, outcome, outputs, errorCode);
    const durable = config.durability === 'durable';
    try {
      const pending = events.record(event, durable);
      if (durable && pending) await pending;
    } catch (error) {
      stats.eventsRefused++;
      const code =
        isAppError(error) && error.code === 'LEDGER_BACKPRESSURE'
          ? 'GATEWAY_LEDGER_BACKPRESSURE'
          : 'GATEWAY_LEDGER_UNAVAILABLE';
      if (code === 'GATEWAY_LEDGER_UNAVAILABLE') options.onError?.(error);
      // A request whose event cannot be kept is not answered with the model's output.
      if (durable || code === 'GATEWAY_LEDGER_BACKPRESSURE') {
        const message =
          code === 'GATEWAY_LEDGER_BACKPRESSURE'
            ? 'the audit ledger is behind; try again'
            : 'the audit ledger is unavailable';
        sendJson(
          res,
          503,
          { ...errorBody(code, message, 503), requestId: ex.requestId },
          ex.requestId,
        );
        return;
      }
    }
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': body.length,
      'x-request-id': ex.requestId,
    });
    res.end(body);
  }

  function buildEvent(
    ex: Exchange,
    status: number,
    outcome: InferenceOutcome,
    outputs: unknown[] | null,
    errorCode: string | null,
  ): InferenceEvent {
    const model = ex.route ? models.get(ex.route.model) : undefined;
    return {
      id: ex.id,
      time: isoNow(),
      requestId: ex.requestId,
      model: ex.route?.model ?? '',
      modelVersion: ex.version?.version ?? null,
      artifactDigest: ex.version?.digest ?? null,
      protocol: ex.route?.protocol ?? model?.protocol ?? 'kserve-v2',
      principal: ex.key?.principal ?? null,
      keyId: ex.key?.id ?? null,
      sourceAddress: ex.source,
      features: config.recordFeatures ? ex.rows : null,
      outputs,
      status,
      outcome,
      errorCode,
      policyAction: ex.policyAction,
      latencyMs: Math.round((performance.now() - ex.started) * 1000) / 1000,
      ...(ex.subject === undefined ? {} : { subject: ex.subject }),
      ...(ex.requestFields === undefined ? {} : { requestFields: ex.requestFields }),
    };
  }

  function sourceAddress(req: IncomingMessage): string {
    if (config.trustProxy) {
      const forwarded = req.headers['x-forwarded-for'];
      const first = typeof forwarded === 'string' ? forwarded.split(',', 1)[0]!.trim() : '';
      if (first && first.length <= 64) return first;
    }
    return req.socket.remoteAddress ?? 'unknown';
  }

  return {
    server,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const address = server.address() as AddressInfo;
          resolve(
            `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
          );
        });
      }),
    close: async () => {
      clearInterval(sourceTimer);
      drainSources(true);
      // In-flight requests finish; their keep-alive connections (kept 30 s when idle) are
      // closed as soon as they go idle, and whatever still hangs after the grace is cut.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearInterval(sweep);
      clearTimeout(cut);
      await upstreams.close();
    },
    stats: () =>
      breakers.size === 0
        ? stats
        : {
            ...stats,
            circuits: Object.fromEntries([...breakers].map(([id, b]) => [id, b.state])),
          },
  };
}

/** A model can emit NaN or Infinity, which JSON (and so the ledger) cannot hold: record null. */
function finiteOrNull(rows: number[][]): unknown[] {
  for (const row of rows) {
    for (const v of row)
      if (!Number.isFinite(v))
        return rows.map((r) => r.map((x) => (Number.isFinite(x) ? x : null)));
  }
  return rows;
}

function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

function errorBody(
  code: string,
  message: string,
  status: number,
  details?: Record<string, unknown>,
) {
  return {
    error: STATUS_CODES[status] ?? 'Error',
    code,
    message,
    statusCode: status,
    ...(details ? { details } : {}),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(requestId ? { 'x-request-id': requestId } : {}),
  });
  res.end(text);
}

function truncate(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}

/** The subject id at an RFC 6901 pointer in the body, as text (at most 256 characters). */
function subjectAt(body: unknown, pointer: string): string | undefined {
  const current = valueAt(body, pointer);
  return typeof current === 'string' || typeof current === 'number'
    ? String(current).slice(0, 256)
    : undefined;
}

/** Scalar request fields at the privacy block's pointers (absent ones left out). */
function fieldsAt(body: unknown, rules: readonly { pointer: string }[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { pointer } of rules) {
    const v = valueAt(body, pointer);
    if (typeof v === 'string') out[pointer] = v.slice(0, 1024);
    else if (typeof v === 'number' || typeof v === 'boolean') out[pointer] = v;
  }
  return out;
}

function valueAt(body: unknown, pointer: string): unknown {
  let current = body;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, token))
      return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

import type { InferenceEvent } from '../../core/index.js';
import type { Detector, Finding } from '../detector.js';
import {
  outlierScore,
  packWhitening,
  rangeViolations,
  standardizeRow,
  type ModelBaseline,
} from './baseline.js';
import { decodeState, encodeState } from './codec.js';
import {
  createCrossState,
  crossBytes,
  crossShifts,
  observeCross,
  type CrossBucket,
  type CrossState,
} from './cross-principal.js';
import { ExtractionErrorCodes, extractionError } from './errors.js';
import { evaluateRow, type PreparedRow } from './evaluate-row.js';
import { makeFinding } from './finding.js';
import {
  parseExtractionOptions,
  type ExtractionConfig,
  type ExtractionOptions,
} from './options.js';
import {
  createPrincipalTable,
  deserializeTable,
  serializeTable,
  touchPrincipal,
  type PrincipalTable,
} from './principal-table.js';
import { profileSignal } from './profile-signal.js';
import {
  countKeyRows,
  createProfileState,
  type KeyProfile,
  type ProfileState,
} from './profile-state.js';
import { createProjector } from './projector.js';
import { answeredRows, principalKey, sourceNetwork, type AnsweredRow } from './read-event.js';
import { UNIT } from './step-state.js';
import {
  createSubjectState,
  subjectBytes,
  upgradeSubject,
  type SubjectState,
} from './subject-state.js';

export interface NetworkEntry {
  first: string;
  subject: SubjectState | null;
}

/** Per-principal and per-source-network state of the extraction/evasion detector. */
export interface ExtractionState {
  principals: PrincipalTable<SubjectState>;
  /** Per source network; analysed only once two principals share it (else it would repeat the principal's work). */
  networks: PrincipalTable<NetworkEntry>;
  schemaAlerts: PrincipalTable<number>;
  cross: CrossState;
  /** Per-key daily volumes and peer groups (null when the profile is off). */
  profile: ProfileState | null;
  rows: number;
}

function rowProblem(baseline: ModelBaseline, features: readonly number[]): string | null {
  if (features.length !== baseline.featureCount)
    return `has ${features.length} features, expected ${baseline.featureCount}`;
  const bad = features.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  return bad >= 0 ? `feature ${bad} is not a finite number` : null;
}

function schemaFinding(
  state: ExtractionState,
  event: InferenceEvent,
  key: string,
  t: number,
  problem: string,
): Finding[] {
  const last = touchPrincipal(state.schemaAlerts, key, t, () => -Infinity);
  if (t - last < 600_000) return [];
  state.schemaAlerts.entries.get(key)!.value = t;
  return [
    makeFinding({
      detector: 'extraction.schema',
      kind: 'anomaly',
      event,
      subject: key,
      severity: 'medium',
      confidence: 1,
      title: `Query violates the model's input schema: row ${problem}`,
      evidence: { statistic: 'schema', problem },
      eventIds: [event.id],
    }),
  ];
}

/** Per-feature minimum and 1 / range (0 for a constant feature), for rows in range units. */
interface UnitScale {
  readonly min: readonly number[];
  readonly inverse: Float64Array;
  readonly active: number;
  /** Reused for every row: the step state copies what it keeps. */
  readonly scratch: Uint16Array;
}

function unitScale(baseline: ModelBaseline): UnitScale {
  const inverse = new Float64Array(baseline.featureCount);
  let active = 0;
  for (let j = 0; j < inverse.length; j += 1) {
    const range = baseline.max[j]! - baseline.min[j]!;
    if (range > 0) {
      inverse[j] = 1 / range;
      active += 1;
    }
  }
  return {
    min: baseline.min,
    inverse,
    active: Math.max(1, active),
    scratch: new Uint16Array(baseline.featureCount),
  };
}

/** The row in range units, offset by half a range and quantised (clamped to 16 bits); returns its hash. */
function toUnits(row: readonly number[], scale: UnitScale): number {
  const u = scale.scratch;
  let h = 0x811c9dc5;
  for (let j = 0; j < u.length; j += 1) {
    const v = ((row[j]! - scale.min[j]!) * scale.inverse[j]! + 0.5) * UNIT;
    const q = v <= 0 ? 0 : v >= 65535 ? 65535 : Math.round(v);
    u[j] = q;
    h = Math.imul(h ^ q, 0x01000193);
  }
  return h;
}

const EMPTY_UNITS = new Uint16Array(0);

function observeEvent(
  state: ExtractionState,
  event: InferenceEvent,
  baseline: ModelBaseline,
  unit: UnitScale,
  config: ExtractionConfig,
  project: (z: Float64Array) => Float32Array,
  shifts: Float64Array[],
  scratch: Float64Array,
  whitening: Float64Array,
): Finding[] {
  const rows: AnsweredRow[] = answeredRows(event);
  if (rows.length === 0) return [];
  const t = Date.parse(event.time);
  if (Number.isNaN(t)) return [];
  const key = principalKey(event);
  const findings: Finding[] = [];
  const own = touchPrincipal(state.principals, key, t, () =>
    createSubjectState(config, baseline.classCount, baseline.featureCount),
  );
  let net = '';
  let netSubject: SubjectState | null = null;
  if (config.byNetwork) {
    net = sourceNetwork(event.sourceAddress);
    const entry = touchPrincipal(state.networks, net, t, (): NetworkEntry => ({
      first: key,
      subject: null,
    }));
    if (!entry.subject && entry.first !== key) {
      entry.subject = createSubjectState(config, baseline.classCount, baseline.featureCount);
    }
    netSubject = entry.subject;
  }
  let counted = 0;
  for (const r of rows) {
    const problem = rowProblem(baseline, r.features);
    if (problem) {
      findings.push(...schemaFinding(state, event, key, t, problem));
      continue;
    }
    state.rows += 1;
    counted += 1;
    // z is scratch: only its sketch and scores outlive this row.
    const z = standardizeRow(baseline, r.features, scratch);
    const outlier =
      outlierScore(baseline, z, whitening) > baseline.outlierThreshold ||
      rangeViolations(baseline, r.features) > 0;
    const sketch = project(z);
    const crossOthers = config.cross
      ? observeCross(state.cross, sketch, key, t, shifts, config.cross)
      : [];
    const unitHash = config.step ? toUnits(r.features, unit) : 0;
    const prepared: PreparedRow = {
      eventId: event.id,
      timeMs: t,
      label: r.label,
      margin: r.margin,
      outlier,
      sketch,
      raw: r.features,
      unit: config.step ? unit.scratch : EMPTY_UNITS,
      unitHash,
      activeFeatures: unit.active,
      crossOthers,
    };
    for (const sig of evaluateRow(own, prepared, config)) {
      findings.push(
        makeFinding({ ...sig, detector: `extraction.${sig.signal}`, event, subject: key }),
      );
    }
    if (!netSubject) continue;
    for (const sig of evaluateRow(netSubject, prepared, config)) {
      findings.push(
        makeFinding({ ...sig, detector: `extraction.network.${sig.signal}`, event, subject: net }),
      );
    }
  }
  if (state.profile && config.profile && counted > 0) {
    const declared = config.profile.keys[event.keyId ?? key] ?? config.profile.keys[key];
    const purpose = declared?.purpose ?? 'default';
    const counts = countKeyRows(state.profile, key, purpose, t, counted, config.profile);
    const sig = profileSignal(
      own,
      {
        key: counts.profile,
        rows24h: counts.rows24h,
        peers: counts.peers,
        purpose,
        expectedRowsPerDay:
          declared?.expectedRowsPerDay ?? config.profile.defaultExpectedRowsPerDay ?? null,
        eventId: event.id,
      },
      config,
    );
    if (sig)
      findings.push(makeFinding({ ...sig, detector: 'extraction.profile', event, subject: key }));
  }
  return findings;
}

/**
 * The extraction and evasion detector for one model: PRADA, stateful similarity, boundary
 * and volume signals and off-distribution queries, per principal and per source network.
 * @example
 * const detector = createExtractionDetector(buildModelBaseline(referenceRows, { model: 'digits', classCount: 10 }));
 * const state = detector.init();
 * for (const event of events) alerts.push(...detector.observe(state, event));
 */
export function createExtractionDetector(
  baseline: ModelBaseline,
  options: ExtractionOptions = {},
): Detector<ExtractionState> {
  const config = parseExtractionOptions(options);
  const project = createProjector(baseline.featureCount, config.sketchDim, config.seed);
  const dim = Math.min(baseline.featureCount, config.sketchDim);
  const scratch = new Float64Array(baseline.featureCount);
  const unit = unitScale(baseline);
  const whitening = packWhitening(baseline);
  const shifts = config.cross
    ? crossShifts(config.cross.tables, dim, config.cross.width, config.seed)
    : [];
  return {
    name: 'extraction',
    description:
      'Model extraction and black-box evasion: PRADA, stateful similarity, boundary, volume, outliers',
    init: () => ({
      principals: createPrincipalTable(config.maxPrincipals, config.idleMs),
      networks: createPrincipalTable(config.maxPrincipals, config.idleMs),
      schemaAlerts: createPrincipalTable(config.maxPrincipals, config.idleMs),
      rows: 0,
      cross: createCrossState(),
      profile: config.profile
        ? createProfileState(config.maxPrincipals, config.profile.idleMs)
        : null,
    }),
    observe: (state, event) =>
      observeEvent(state, event, baseline, unit, config, project, shifts, scratch, whitening),
    stateSize: (state) => {
      let bytes = 0;
      for (const e of state.principals.entries.values()) bytes += subjectBytes(e.value) + 64;
      for (const e of state.networks.entries.values()) {
        bytes += (e.value.subject ? subjectBytes(e.value.subject) : 0) + 96;
      }
      if (state.profile) {
        bytes += state.profile.keys.entries.size * 220;
        bytes += Object.keys(state.profile.peers).length * 320;
      }
      return bytes + state.schemaAlerts.entries.size * 64 + crossBytes(state.cross);
    },
    serialize: (state) => ({
      version: 1,
      rows: state.rows,
      principals: serializeTable(state.principals, encodeState),
      networks: serializeTable(state.networks, encodeState),
      schemaAlerts: serializeTable(state.schemaAlerts, encodeState),
      cross: { touches: state.cross.touches, buckets: [...state.cross.buckets] },
      profile: state.profile
        ? {
            keys: serializeTable(state.profile.keys, encodeState),
            peers: encodeState(state.profile.peers),
          }
        : null,
    }),
    deserialize: (data) => {
      const raw = data as {
        version?: unknown;
        rows: number;
        principals: unknown;
        networks: unknown;
        schemaAlerts: unknown;
        cross: { touches: number; buckets: [number, CrossBucket][] };
        profile?: { keys: unknown; peers: unknown } | null;
      };
      if (!raw || raw.version !== 1)
        throw extractionError(
          ExtractionErrorCodes.STATE_INVALID,
          'unsupported extraction state version',
        );
      const decode = (v: unknown) => upgradeSubject(decodeState(v) as SubjectState);
      return {
        rows: raw.rows,
        principals: deserializeTable(raw.principals, decode),
        networks: deserializeTable(raw.networks, (v) => {
          const entry = decodeState(v) as NetworkEntry;
          if (entry.subject) entry.subject = upgradeSubject(entry.subject);
          return entry;
        }),
        schemaAlerts: deserializeTable(raw.schemaAlerts, (v) => Number(decodeState(v))),
        cross: { touches: raw.cross.touches, buckets: new Map(raw.cross.buckets) },
        // A checkpoint from before the profile starts it empty.
        profile: !config.profile
          ? null
          : raw.profile
            ? {
                keys: deserializeTable(raw.profile.keys, (v) => decodeState(v) as KeyProfile),
                peers: decodeState(raw.profile.peers) as ProfileState['peers'],
              }
            : createProfileState(config.maxPrincipals, config.profile.idleMs),
      };
    },
  };
}

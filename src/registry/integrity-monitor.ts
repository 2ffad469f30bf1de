import { ATLAS, OWASP, createId, systemClock, type Alert, type Clock } from '../core/index.js';
import { compareFiles, hashModel, type FileProblem } from './oms/model-manifest.js';
import type { ArtifactFile } from './types.js';

/** An artifact set served in-process, with the files recorded when it was approved. */
export interface MonitoredArtifacts {
  model: string;
  version: string;
  location: string;
  files: readonly ArtifactFile[];
}

/** One probe: an input and the output recorded at approval. */
export interface Probe {
  id: string;
  input: unknown;
  output: unknown;
}

/** A behavioural fingerprint of a remote upstream (probes replayed through the serving path). */
export interface Fingerprint {
  model: string;
  version: string;
  probes: readonly Probe[];
  /** Largest absolute difference accepted between numbers in the recorded and new outputs. */
  tolerance: number;
}

export interface IntegrityMonitorOptions {
  artifacts: () => Promise<readonly MonitoredArtifacts[]> | readonly MonitoredArtifacts[];
  fingerprints: () => Promise<readonly Fingerprint[]> | readonly Fingerprint[];
  /** Sends one probe input through the serving path of model@version; returns the parsed answer. */
  invoke: (model: string, input: unknown, version: string) => Promise<unknown>;
  onAlert: (alert: Alert) => void | Promise<void>;
  intervalMs?: number;
  clock?: Clock;
}

/**
 * How far two JSON answers are apart: the largest absolute difference between numbers at the
 * same place, or Infinity when their shapes, strings or booleans differ.
 */
export function outputDistance(recorded: unknown, actual: unknown): number {
  if (typeof recorded === 'number' && typeof actual === 'number')
    return Math.abs(recorded - actual);
  if (Array.isArray(recorded) || Array.isArray(actual)) {
    if (!Array.isArray(recorded) || !Array.isArray(actual) || recorded.length !== actual.length)
      return Infinity;
    return recorded.reduce<number>((m, r, i) => Math.max(m, outputDistance(r, actual[i])), 0);
  }
  if (
    recorded !== null &&
    actual !== null &&
    typeof recorded === 'object' &&
    typeof actual === 'object'
  ) {
    const a = recorded as Record<string, unknown>;
    const b = actual as Record<string, unknown>;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    let max = 0;
    for (const k of keys)
      max = Math.max(max, k in a && k in b ? outputDistance(a[k], b[k]) : Infinity);
    return max;
  }
  return Object.is(recorded, actual) ? 0 : Infinity;
}

/** Records a fingerprint now: the serving path's answers to the probe inputs (at approval). */
export async function recordFingerprint(
  invoke: IntegrityMonitorOptions['invoke'],
  target: { model: string; version: string; tolerance: number },
  inputs: readonly { id: string; input: unknown }[],
): Promise<Fingerprint> {
  const probes: Probe[] = [];
  for (const p of inputs)
    probes.push({ ...p, output: await invoke(target.model, p.input, target.version) });
  return { ...target, probes };
}

// ATLAS: a swapped or altered model is AI Supply Chain Compromise: Model (AML.T0010.003) or
// Manipulate AI Model (AML.T0018); OWASP ML06:2023 is AI supply chain attacks.
function alert(
  now: number,
  model: string,
  detector: string,
  title: string,
  severity: Alert['severity'],
  evidence: Record<string, unknown>,
): Alert {
  return {
    id: createId('alr', now),
    time: new Date(now).toISOString(),
    detector,
    kind: 'integrity',
    model,
    principal: null,
    sourceAddress: null,
    severity,
    confidence: detector === 'registry.integrity' ? 1 : 0.8,
    title,
    atlasTechniques: [ATLAS.supplyChainModel, ATLAS.manipulateModel],
    owasp: [OWASP.supplyChain],
    evidence,
    eventIds: [],
  };
}

/** What createIntegrityMonitor returns. */
export interface IntegrityMonitor {
  checkArtifacts: () => Promise<Alert[]>;
  checkFingerprints: () => Promise<Alert[]>;
  /** Runs both checks every `intervalMs` (default 60 s), one round at a time. */
  start(): void;
  stop(): Promise<void>;
}

/**
 * Re-hashes in-process artifacts and replays behavioural fingerprints on a schedule; each
 * change raises one alert (not one per tick) through `onAlert`. A check never throws: an
 * unreadable artifact or a failing probe is itself reported.
 */
export function createIntegrityMonitor(options: IntegrityMonitorOptions): IntegrityMonitor {
  const clock = options.clock ?? systemClock;
  const raised = new Set<string>();
  // Once a version checks clean again (restored), its next change is a new one: alert again.
  const clear = (prefix: string) => {
    for (const k of raised) if (k.startsWith(prefix)) raised.delete(k);
  };
  const raise = async (key: string, a: Alert, out: Alert[]) => {
    if (raised.has(key)) return;
    raised.add(key);
    out.push(a);
    await options.onAlert(a);
  };

  async function checkArtifacts(): Promise<Alert[]> {
    const out: Alert[] = [];
    for (const t of await options.artifacts()) {
      let problems: FileProblem[];
      try {
        problems = compareFiles(
          t.files,
          (await hashModel(t.location, { ignorePaths: ['model.sig'] })).files,
        );
      } catch {
        // The whole location is gone or unreadable.
        problems = [{ file: t.location, reason: 'missing' }];
      }
      if (problems.length === 0) {
        clear(`a:${t.model}@${t.version}:`);
        continue;
      }
      const key = `a:${t.model}@${t.version}:${JSON.stringify(problems)}`;
      const title = `Artifacts of ${t.model}@${t.version} changed on disk: ${problems.map((p) => `${p.file} (${p.reason})`).join(', ')}`;
      await raise(
        key,
        alert(clock.now(), t.model, 'registry.integrity', title, 'critical', {
          version: t.version,
          location: t.location,
          problems,
        }),
        out,
      );
    }
    return out;
  }

  async function checkFingerprints(): Promise<Alert[]> {
    const out: Alert[] = [];
    for (const f of await options.fingerprints()) {
      const beyond: { probe: string; distance: number | string }[] = [];
      for (const p of f.probes) {
        try {
          const d = outputDistance(p.output, await options.invoke(f.model, p.input, f.version));
          if (d > f.tolerance)
            beyond.push({
              probe: p.id,
              distance: Number.isFinite(d) ? d : 'shape or value changed',
            });
        } catch (e) {
          beyond.push({ probe: p.id, distance: `probe failed: ${(e as Error).message}` });
        }
      }
      if (beyond.length === 0) {
        clear(`f:${f.model}@${f.version}:`);
        continue;
      }
      const title = `${f.model}@${f.version} answers ${beyond.length}/${f.probes.length} fingerprint probe(s) differently: ${beyond.map((b) => b.probe).join(', ')}`;
      await raise(
        `f:${f.model}@${f.version}:${beyond.map((b) => b.probe).join(',')}`,
        alert(clock.now(), f.model, 'registry.fingerprint', title, 'high', {
          version: f.version,
          tolerance: f.tolerance,
          probes: beyond,
        }),
        out,
      );
    }
    return out;
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  return {
    checkArtifacts,
    checkFingerprints,
    /** Runs both checks every `intervalMs` (default 60 s), one round at a time. */
    start() {
      if (timer) return;
      timer = setInterval(() => {
        running = running
          .then(() => Promise.all([checkArtifacts(), checkFingerprints()]))
          .catch(() => undefined);
      }, options.intervalMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

import type { DrillAdmin } from './admin-client.js';
import type { BundleVerifier, ImpactRunner, PoisonedRelease } from './poisoned-version.js';
import type { DrillData } from './drill-data.js';
import type { SeenAlert, watchAlerts } from './observe.js';
import type { Achieved } from './scenarios.js';
import type { ForensicsCheck } from './scorecard.js';

/**
 * What the drill controls besides HTTP access, for the tampering scenario: the upstream of a
 * remote model (`drill all` runs one), or an artifact file a running aisoc serves in-process.
 */
export interface DrillControl {
  /** Puts an altered model behind the remote model's upstream; `restoreUpstream` undoes it. */
  readonly swapUpstream?: () => Promise<void>;
  readonly restoreUpstream?: () => Promise<void>;
  /** The upstream's URL and the configured version it serves (registered with the version). */
  readonly upstreamUrl?: string;
  readonly remoteVersion?: string;
  /** A model file the target aisoc serves in-process for the drilled model (bytes get flipped). */
  readonly artifactFile?: string;
  /** Poisoning (poisoned-version): the poisoned and known-good versions of the drilled model. */
  readonly poisonedRelease?: PoisonedRelease;
  /** Poisoning (poisoned-version): impact analysis on the target's database, when reachable. */
  readonly impact?: ImpactRunner;
  /** Poisoning (poisoned-version): the offline evidence-bundle check. */
  readonly verifyBundle?: BundleVerifier;
  /** Decoy: the target's decoy model (`models[].decoy: true`); default `<model>-v0`. */
  readonly decoyModel?: string;
}

export type AlertWatch = ReturnType<typeof watchAlerts>;

/** What a scenario that attacks the pipeline (not the inference API) gets to work with. */
export interface PipelineContext {
  /** The admin API as the attacker's own service account, so records and alerts name it. */
  readonly admin: DrillAdmin;
  /** The admin API as the defender (the drill's own token): approvals, reports, exports. */
  readonly defender: DrillAdmin;
  readonly gatewayUrl: string;
  readonly model: string;
  readonly data: DrillData;
  readonly seed: number;
  readonly attack: string;
  readonly attacker: string;
  /** Unique to this drill run (safe in registry names). */
  readonly run: string;
  readonly control: DrillControl;
  /** How long to wait for detection and containment after the attack. */
  readonly settleMs: number;
  /** An API key for `model` owned by the attacker (e.g. a client of the swapped model). */
  apiKey(): Promise<string>;
  /** Starts watching the alerts of another model (the drill stops it). */
  watch(model: string): AlertWatch;
  progress(line: string): void;
}

/** How one pipeline attack went, as the scenario saw it. */
export interface PipelineOutcome {
  /** When the attack step began: detection and containment are timed from here. */
  readonly startedAt: number;
  /** Which alerts are the defender's detection of this attack. */
  matches(alert: SeenAlert): boolean;
  /** Whom the playbook runs answering it are about: the attacker, or `model:<id>`. */
  readonly subject: string;
  /** When the scenario saw containment, with the HTTP status that showed it (if any). */
  readonly contained: { at: number; status: number | null } | null;
  readonly achieved: Achieved;
  /** Requests the attack sent (uploads, probes). */
  readonly requests: number;
  /** What "contained" meant here, when the attack's differs from the scenario's. */
  readonly containment?: string;
  /** Attack queries sent up to an alert's event time (decoy), for `queriesToDetect`. */
  readonly queriesToAlert?: (alertAt: number) => number;
  /** Forensics run after containment, one scorecard line each (poisoned-version). */
  readonly forensics?: ForensicsCheck[];
}

export interface PipelineScenario {
  readonly kind: 'pipeline';
  readonly name: string;
  readonly attacks: readonly string[];
  readonly atlas: readonly string[];
  /** What "contained" means for this scenario (shown on the scorecard). */
  readonly containment: string;
  run(ctx: PipelineContext): Promise<PipelineOutcome>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it returns a value or `ms` passes. */
export async function until<T>(
  check: () => Promise<T | undefined> | T | undefined,
  ms: number,
  everyMs = 100,
): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined || Date.now() >= end) return v;
    await sleep(everyMs);
  }
}

/** A KServe V2 request body for rows of features. */
export function kserveBody(rows: readonly (readonly number[])[]): string {
  return JSON.stringify({
    inputs: [
      {
        name: 'input',
        shape: [rows.length, rows[0]?.length ?? 0],
        datatype: 'FP32',
        data: rows.flat(),
      },
    ],
  });
}

import { ATLAS } from '../core/index.js';
import {
  agreement,
  boundaryAttack,
  hopSkipJump,
  jacobianExtraction,
  knockoffExtraction,
  nesAttack,
  randomExtraction,
  randomSearchAttack,
  syntheticExtraction,
  trainSurrogate,
  type AttackContext,
} from './attacks/index.js';
import type { DrillData } from './drill-data.js';
import { DrillErrorCodes, drillError } from './errors.js';
import type { HttpTarget } from './http-target.js';
import { maliciousFile } from './malicious-file.js';
import type { PipelineScenario } from './pipeline.js';
import { poisoning } from './poisoning.js';
import { tampering } from './tampering.js';
import { decoy } from './decoy.js';

/** The scenarios a drill can run, in the order `drill all` runs them. */
export const SCENARIOS = [
  'extraction',
  'evasion',
  'poisoning',
  'malicious-file',
  'tampering',
  'decoy',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** What the attacker got out of the target before containment stopped it (or it finished). */
export interface Achieved {
  readonly queries: number;
  /** Extraction: share of holdout rows on which the stolen copy agrees with the target. */
  readonly agreement?: number;
  /** Evasion: inputs pushed across the boundary within the distortion budget / inputs tried. */
  readonly successes?: number;
  readonly attempts?: number;
  readonly successRate?: number;
  /** Poisoning: the batch, the rows poisoned, what the audit quarantined, and the verdict. */
  readonly batchRows?: number;
  readonly poisonedRows?: number;
  readonly quarantinedRows?: number;
  readonly poisonedQuarantined?: number;
  readonly precision?: number;
  readonly recall?: number;
  readonly batchAccepted?: boolean;
  /** Malicious file: whether the version got approved or could be deployed, and its state. */
  readonly approved?: boolean;
  readonly deployable?: boolean;
  readonly versionState?: string;
  /** Tampering: answers the tampered model gave clients before containment. */
  readonly answersAfterTamper?: number;
  /** Poisoned version: its answers to clients, and how many came before the output-drift alert. */
  readonly poisonedAnswers?: number;
  readonly answersBeforeAlert?: number;
  /** Decoy: rows the decoy answered the probing key before containment. */
  readonly decoyAnswers?: number;
}

export interface ScenarioOptions {
  readonly data: DrillData;
  readonly seed: number;
  /** Extraction: queries; evasion: queries per input. */
  readonly budget: number;
  /** Evasion: how many holdout inputs the attacker tries to push across. */
  readonly inputs: number;
  /** Labels the target gives the holdout rows (asked by a separate key after the attack). */
  readonly targetLabels: () => Promise<number[]>;
  /** One of the scenario's `attacks`; default its first. */
  readonly attack?: string;
}

/** A scenario that attacks through the inference API (query attacks). */
export interface Scenario {
  readonly kind: 'query';
  readonly name: ScenarioName;
  /** The attacks it can run (src/drill/attacks), the default first. */
  readonly attacks: readonly string[];
  /** MITRE ATLAS technique ids the scenario exercises (data/atlas/ATLAS.yaml). */
  readonly atlas: readonly string[];
  run(target: HttpTarget, o: ScenarioOptions): Promise<Achieved>;
}

const contextOf = (o: ScenarioOptions): AttackContext => ({
  featureMin: o.data.featureMin,
  featureMax: o.data.featureMax,
  classCount: o.data.classCount,
  seed: o.seed,
});

/** Runs `attack`; containment (DRILL_CONTAINED) ends it quietly, anything else is thrown. */
async function untilContained<T>(attack: () => Promise<T>): Promise<T | null> {
  try {
    return await attack();
  } catch (error) {
    if ((error as { code?: string }).code === DrillErrorCodes.DRILL_CONTAINED) return null;
    throw error;
  }
}

const EXTRACTION = {
  knockoff: knockoffExtraction,
  random: randomExtraction,
  synthetic: syntheticExtraction,
  jacobian: jacobianExtraction,
};
const EVASION = {
  'hop-skip-jump': hopSkipJump,
  boundary: boundaryAttack,
  nes: nesAttack,
  'random-search': randomSearchAttack,
};

const pick = <T>(table: Record<string, T>, name: string | undefined): T =>
  table[name ?? Object.keys(table)[0]!]!;

const extraction: Scenario = {
  kind: 'query',
  name: 'extraction',
  attacks: Object.keys(EXTRACTION),
  atlas: [ATLAS.inferenceApiAccess, ATLAS.extractModel, ATLAS.trainProxyViaReplication],
  async run(target, o) {
    const ctx = contextOf(o);
    const opts = {
      budget: o.budget,
      batch: 10,
      testRows: [],
      testLabels: [],
      natural: o.data.natural,
    };
    await untilContained(() => pick(EXTRACTION, o.attack)(target, ctx, opts));
    const got = target.answered;
    const labels = await o.targetLabels();
    // Score the copy the attacker could train from the answers it got before containment.
    const copy = trainSurrogate(
      got.map((r) => r.features),
      got.map((r) => r.label),
      { classCount: ctx.classCount, min: ctx.featureMin, max: ctx.featureMax, seed: ctx.seed },
    );
    return { queries: got.length, agreement: agreement(copy, o.data.holdout, labels) };
  },
};

const evasion: Scenario = {
  kind: 'query',
  name: 'evasion',
  attacks: Object.keys(EVASION),
  atlas: [ATLAS.inferenceApiAccess, ATLAS.blackBoxOptimization, ATLAS.evadeModel],
  async run(target, o) {
    const ctx = contextOf(o);
    const attack = pick(EVASION, o.attack);
    let successes = 0;
    for (let i = 0; i < o.inputs; i += 1) {
      const original = o.data.holdout[(o.seed * 7 + i * 13) % o.data.holdout.length]!;
      const report = await untilContained(() =>
        attack(
          target,
          { ...ctx, seed: ctx.seed + i },
          {
            original,
            budget: o.budget,
            natural: o.data.natural,
          },
        ),
      );
      if (report === null) break;
      if (report.success) successes += 1;
    }
    return {
      queries: target.answered.length,
      successes,
      attempts: o.inputs,
      successRate: successes / o.inputs,
    };
  },
};

export type AnyScenario = Scenario | PipelineScenario;

const BY_NAME: Record<ScenarioName, AnyScenario> = {
  extraction,
  evasion,
  poisoning,
  'malicious-file': maliciousFile,
  tampering,
  decoy,
};

/** The scenario called `name`, or DRILL_SCENARIO_UNKNOWN listing the known ones. */
export function scenarioNamed(name: string): AnyScenario {
  if (!(SCENARIOS as readonly string[]).includes(name))
    throw drillError(
      DrillErrorCodes.DRILL_SCENARIO_UNKNOWN,
      `no drill scenario "${name.slice(0, 64)}"; known: ${SCENARIOS.join(', ')}`,
    );
  return BY_NAME[name as ScenarioName];
}

/** The attack `attack` of `scenario` (its default when omitted), or DRILL_ATTACK_UNKNOWN. */
export function attackNamed(
  scenario: { name: string; attacks: readonly string[] },
  attack: string | undefined,
): string {
  if (attack === undefined) return scenario.attacks[0]!;
  if (!scenario.attacks.includes(attack))
    throw drillError(
      DrillErrorCodes.DRILL_ATTACK_UNKNOWN,
      `no ${scenario.name} attack "${attack.slice(0, 64)}"; known: ${scenario.attacks.join(', ')}`,
    );
  return attack;
}

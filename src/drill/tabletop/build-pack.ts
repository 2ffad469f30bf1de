import { REGULATORY_CLOCKS, describeDue, type RegulatoryClock } from '../../core/index.js';
import { drillError, DrillErrorCodes } from '../errors.js';
import type { Scorecard } from '../scorecard.js';
import {
  TABLETOP_PACKS,
  TABLETOP_SCENARIOS,
  type Decision,
  type Inject,
  type TabletopPack,
  type TabletopScenario,
} from './packs.js';

export interface TimedDecision extends Decision {
  readonly clockInfo?: { readonly article: string; readonly due: string; readonly to: string };
}

/** A pack ready to print: injects in order (the drill's real timings first), clocks resolved. */
export interface BuiltTabletop {
  readonly pack: TabletopPack;
  readonly injects: readonly Inject[];
  readonly decisions: readonly TimedDecision[];
  readonly clocks: readonly RegulatoryClock[];
  /** Where the timings came from. */
  readonly source: string;
}

export function tabletopScenarioNamed(name: string): TabletopScenario {
  if ((TABLETOP_SCENARIOS as readonly string[]).includes(name)) return name as TabletopScenario;
  throw drillError(
    DrillErrorCodes.DRILL_SCENARIO_UNKNOWN,
    `no tabletop scenario "${name}"; known: ${TABLETOP_SCENARIOS.join(', ')}`,
  );
}

export function buildTabletop(scenario: TabletopScenario, scorecard?: Scorecard): BuiltTabletop {
  const pack = TABLETOP_PACKS[scenario];
  const clocks = REGULATORY_CLOCKS.filter((c) => pack.regulations.includes(c.regulation));
  const decisions = pack.decisions.map((d): TimedDecision => {
    const clock = d.clock ? REGULATORY_CLOCKS.find((c) => c.id === d.clock) : undefined;
    return clock
      ? {
          ...d,
          clockInfo: { article: clock.article, due: describeDue(clock), to: clock.recipient },
        }
      : d;
  });
  const measured = scorecard ? scorecardInjects(scorecard) : [];
  return {
    pack,
    injects: [...measured, ...pack.injects].sort((a, b) => a.atMinutes - b.atMinutes),
    decisions,
    clocks,
    source: scorecard
      ? `timings from the ${scorecard.scenario} drill on ${scorecard.model} (${scorecard.attack})`
      : 'illustrative timings (pass --scorecard FILE from `aisoc drill … --format json` for real ones)',
  };
}

/** The opening injects, told from what the technical drill actually measured. */
function scorecardInjects(s: Scorecard): Inject[] {
  const detected = s.detected
    ? `aisoc detected it${s.queriesToDetect !== null ? ` after ${s.queriesToDetect} queries` : ''}${s.secondsToDetect !== null ? ` (${s.secondsToDetect.toFixed(2)} s)` : ''} with ${s.detectors.join(', ') || 'a detector'}.`
    : 'aisoc did NOT detect it in the drill.';
  const contained = s.contained
    ? `Containment took effect${s.secondsToContain !== null ? ` after ${s.secondsToContain.toFixed(2)} s` : ''}; ${s.waitingForPerson.length} steps wait for a person: ${s.waitingForPerson.join('; ') || 'none'}.`
    : 'Containment did NOT take effect in the drill.';
  return [
    {
      atMinutes: 0,
      text: `Drill replay: ${s.attack} against ${s.model} (ATLAS ${s.atlas.join(', ')}). ${detected}`,
      to: ['security'],
    },
    {
      atMinutes: 5,
      text: `${contained} Benign clients blocked: ${s.benignBlocked}; false alarms: ${s.falseAlarms}.`,
      to: ['security', 'ml-engineering'],
    },
  ];
}

/**
 * Extraction/evasion detector evaluation on the demo models (issue 6).
 *   npx tsx scripts/eval-detect.ts [--quick] [--models breast-cancer,digits] [--seed 7] [--adaptive] [--json out.json]
 * Calibrates on the reference split, then measures benign false alarms and every attack on
 * holdout, with the model in-process through onnxruntime.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ExtractionOptions } from '../src/detect/extraction/index.js';
import { evaluateModel, type EvalOptions, type ModelResult } from './eval/evaluate.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    models: { type: 'string', default: 'breast-cancer,digits' },
    json: { type: 'string' },
    principals: { type: 'string' },
    seed: { type: 'string', default: '7' },
    'adaptive-runs': { type: 'string' },
    'extraction-runs': { type: 'string' },
    'evasion-runs': { type: 'string' },
    // Calibrated options from an earlier run (its "Calibrated on reference" line) skip calibration.
    options: { type: 'string' },
    adaptive: { type: 'boolean', default: false },
  },
});

const full = {
  benignPrincipals: 1000,
  benignQueries: 1000,
  adaptiveRuns: 6,
  calibrationPrincipals: 300,
  extractionRuns: 10,
  evasionRuns: 20,
  extractionBudget: 500,
  evasionBudget: 300,
  adaptive: true,
};
const quick = {
  adaptiveRuns: 2,
  benignPrincipals: 100,
  benignQueries: 500,
  calibrationPrincipals: 60,
  extractionRuns: 2,
  evasionRuns: 3,
  extractionBudget: 200,
  evasionBudget: 150,
  adaptive: false,
};

const fmt = (v: number | null | undefined, digits = 0) =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits);

function benignLines(r: ModelResult): string[] {
  const b = r.benign;
  const kinds = Object.entries(b.byKind)
    .map(([k, v]) => `${k} ${v.flagged}/${v.principals}`)
    .join(', ');
  const severities = ['low', 'medium', 'high', 'critical']
    .map((s) => `${s} ${b.bySeverity[s] ?? 0}`)
    .join(', ');
  const signals = Object.entries(b.bySignal)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return [
    `Benign (holdout + train rows, mixed kinds): ${b.flagged} of ${b.principals} principals with any finding (${(b.share * 100).toFixed(2)}%), ${b.rows} rows, ${b.microsPerRow.toFixed(1)} µs per row in the detector.`,
    `By highest severity: ${severities}. By kind (flagged/principals): ${kinds}. Per-network subjects flagged: ${b.networksFlagged}.${signals ? ` Signals: ${signals}.` : ''}`,
  ];
}

function attackOutcome(a: ModelResult['attacks'][number]): string {
  if (a.attack.startsWith('extraction'))
    return `agreement ${a.outcome.toFixed(3)}; at first alarm ${fmt(a.fidelityAtAlarm, 3)}; 80% after ${a.queriesTo80 ?? '—'}`;
  return `success ${(a.outcome * 100).toFixed(0)}%; adversarial before alarm ${a.adversarialBeforeAlarm}/${a.runs}, best distance ${fmt(a.bestDistanceBeforeAlarm, 2)}`;
}

export function formatResult(r: ModelResult): string {
  const lines = [
    `### ${r.model}`,
    '',
    ...benignLines(r),
    '',
    '| attack | variant | runs | detected | median queries to first alarm | median queries used | outcome | detectors that fired |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.attacks.map(
      (a) =>
        `| ${a.attack} | ${a.variant} | ${a.runs} | ${a.detected}/${a.runs} | ${a.medianFirstAlarm ?? '—'} | ${a.medianQueries} | ${attackOutcome(a)} | ${a.detectors.join(', ')} |`,
    ),
    '',
    `Calibrated on reference: ${JSON.stringify(r.options)}`,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const base = values.quick ? quick : full;
  const results: ModelResult[] = [];
  for (const model of values.models.split(',')) {
    const started = performance.now();
    const o: EvalOptions = {
      root: '.',
      model,
      seed: Number(values.seed),
      ...base,
      ...(values.principals ? { benignPrincipals: Number(values.principals) } : {}),
      ...(values.adaptive ? { adaptive: true } : {}),
      ...(values['adaptive-runs'] ? { adaptiveRuns: Number(values['adaptive-runs']) } : {}),
      ...(values['extraction-runs'] ? { extractionRuns: Number(values['extraction-runs']) } : {}),
      ...(values['evasion-runs'] ? { evasionRuns: Number(values['evasion-runs']) } : {}),
      ...(values.options ? { fixedOptions: JSON.parse(values.options) as ExtractionOptions } : {}),
    };
    const r = await evaluateModel(o);
    results.push(r);
    console.log(formatResult(r));
    console.log(`(${model}: ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
}

await main();

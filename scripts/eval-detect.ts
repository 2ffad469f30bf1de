/**
 * Extraction/evasion detector evaluation on the demo models (issue 6).
 *   npx tsx scripts/eval-detect.ts [--quick] [--models breast-cancer,digits] [--seed 7] [--adaptive] [--json out.json]
 * Calibrates on the reference split, then measures benign false alarms and every attack on
 * holdout, with the model in-process through onnxruntime.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { evaluateModel, type EvalOptions, type ModelResult } from './eval/evaluate.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    models: { type: 'string', default: 'breast-cancer,digits' },
    json: { type: 'string' },
    principals: { type: 'string' },
    seed: { type: 'string', default: '7' },
    adaptive: { type: 'boolean', default: false },
  },
});

const full = {
  benignPrincipals: 1000,
  benignQueries: 1000,
  calibrationPrincipals: 300,
  extractionRuns: 10,
  evasionRuns: 20,
  extractionBudget: 500,
  evasionBudget: 300,
  adaptive: true,
};
const quick = {
  benignPrincipals: 100,
  benignQueries: 500,
  calibrationPrincipals: 60,
  extractionRuns: 2,
  evasionRuns: 3,
  extractionBudget: 200,
  evasionBudget: 150,
  adaptive: false,
};

export function formatResult(r: ModelResult): string {
  const lines = [
    `### ${r.model}`,
    '',
    `Benign (holdout): ${r.benign.flagged} of ${r.benign.principals} principals flagged (${(r.benign.share * 100).toFixed(2)}%), ${r.benign.rows} queries, ${r.benign.microsPerRow.toFixed(1)} µs per query in the detector. ${Object.entries(
      r.benign.bySignal,
    )
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')}`,
    '',
    '| attack | variant | runs | detected | median queries to first alarm | median queries used | outcome | detectors that fired |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.attacks.map(
      (a) =>
        `| ${a.attack} | ${a.variant} | ${a.runs} | ${a.detected}/${a.runs} | ${a.medianFirstAlarm ?? '—'} | ${a.medianQueries} | ${a.attack.startsWith('extraction') ? `agreement ${a.outcome.toFixed(3)}` : `success ${(a.outcome * 100).toFixed(0)}%`} | ${a.detectors.join(', ')} |`,
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
    };
    const r = await evaluateModel(o);
    results.push(r);
    console.log(formatResult(r));
    console.log(`(${model}: ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
}

await main();

import type { Command } from 'commander';
import { adminClientFrom } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { printTable, writeOut } from '../output.js';
import { emit, formatOption, registryPath, usage, type OutputFormat } from './registry-args.js';

interface Totals {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  auc: number;
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
}
interface ValidationRow {
  id: string;
  rows: number;
  candidate: Totals;
  knownGood: Totals;
  drops: Record<string, number>;
  tolerance: number;
  failed: string[];
  passed: boolean;
  differing: { count: number; rows: number[] };
  fairness?: {
    column: string;
    tolerance: number;
    failed: string[];
    candidate: Fairness;
    knownGood: Fairness;
  };
}
interface Fairness {
  groups: Record<string, { n: number; accuracy: number; selectionRate: number }>;
  tooSmall: string[];
  accuracyGap: number | null;
  demographicParityDifference: number | null;
  equalisedOddsDifference: number | null;
}
const GAPS = ['accuracyGap', 'demographicParityDifference', 'equalisedOddsDifference'] as const;

const METRICS = ['accuracy', 'precision', 'recall', 'f1', 'auc'] as const;
const fixed = (n: number | null) => (n !== null && Number.isFinite(n) ? n.toFixed(4) : 'n/a');

function tolerance(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw usage(`--tolerance: expected a number in [0, 1], got "${value}"`);
  return n;
}

/** `aisoc registry validate MODEL VERSION --against KNOWN_GOOD --data DATASET@LABEL`. */
export function registerValidateCommand(registry: Command): void {
  registry
    .command('validate <model> <version>')
    .description(
      'score a version beside a known-good one on a registered evaluation snapshot; exit 3 when a metric drops beyond the tolerance',
    )
    .requiredOption('--against <version>', 'the known-good version to compare with')
    .requiredOption('--data <dataset@label>', 'the evaluation snapshot (CSV with a label column)')
    .option(
      '--tolerance <x>',
      'largest drop allowed (default: registry.validationTolerance)',
      tolerance,
    )
    .option(
      '--group <column>',
      "snapshot column naming each row's group: report and gate fairness (default: registry.fairnessGroup)",
    )
    .option(
      '--fairness-tolerance <x>',
      'largest demographic parity or equalised-odds difference allowed (default: registry.fairnessTolerance)',
      tolerance,
    )
    .addOption(formatOption())
    .action(
      async (
        model: string,
        version: string,
        opts: {
          against: string;
          data: string;
          tolerance?: number;
          group?: string;
          fairnessTolerance?: number;
          format: OutputFormat;
        },
        command: Command,
      ) => {
        if (!/^[^@]+@[^@]+$/.test(opts.data))
          throw usage(`--data: expected DATASET@LABEL, got "${opts.data}"`);
        const v = await adminClientFrom(command).post<ValidationRow>(
          registryPath('models', model, 'versions', version, 'validate'),
          {
            against: opts.against,
            data: opts.data,
            ...(opts.tolerance === undefined ? {} : { tolerance: opts.tolerance }),
            ...(opts.group === undefined ? {} : { group: opts.group }),
            ...(opts.fairnessTolerance === undefined
              ? {}
              : { fairnessTolerance: opts.fairnessTolerance }),
          },
        );
        emit(opts.format, v, () => {
          printTable(
            METRICS.map((m) => ({
              metric: m,
              [version]: fixed(v.candidate[m]),
              [opts.against]: fixed(v.knownGood[m]),
              drop: fixed(v.drops[m]!),
              result: v.failed.includes(m) ? 'FAIL' : 'ok',
            })),
            ['metric', version, opts.against, 'drop', 'result'],
          );
          writeOut('\nper class\n');
          printTable(
            Object.entries(v.candidate.perClass).map(([c, m]) => ({
              class: c,
              support: String(m.support),
              [`${version} f1`]: fixed(m.f1),
              [`${opts.against} f1`]: fixed(v.knownGood.perClass[c]?.f1 ?? Number.NaN),
            })),
            ['class', 'support', `${version} f1`, `${opts.against} f1`],
          );
          const f = v.fairness;
          if (f) {
            writeOut(`\nfairness by ${f.column}\n`);
            printTable(
              Object.entries(f.candidate.groups).map(([g, m]) => ({
                group: g,
                n: String(m.n),
                [`${version} accuracy`]: fixed(m.accuracy),
                [`${opts.against} accuracy`]: fixed(f.knownGood.groups[g]?.accuracy ?? null),
                [`${version} selection`]: fixed(m.selectionRate),
                [`${opts.against} selection`]: fixed(f.knownGood.groups[g]?.selectionRate ?? null),
              })),
              [
                'group',
                'n',
                `${version} accuracy`,
                `${opts.against} accuracy`,
                `${version} selection`,
                `${opts.against} selection`,
              ],
            );
            printTable(
              GAPS.map((g) => ({
                gap: g,
                [version]: fixed(f.candidate[g]),
                [opts.against]: fixed(f.knownGood[g]),
                result: f.failed.includes(g) ? 'FAIL' : g === 'accuracyGap' ? '—' : 'ok',
              })),
              ['gap', version, opts.against, 'result'],
            );
            if (f.candidate.tooSmall.length > 0)
              writeOut(`groups too small to compare: ${f.candidate.tooSmall.join(', ')}\n`);
          }
          const why = [
            ...(v.failed.length > 0
              ? [`${v.failed.join(', ')} dropped by more than ${v.tolerance}`]
              : []),
            ...(f && f.failed.length > 0
              ? [`${f.failed.join(', ')} above ${f.tolerance} between groups`]
              : []),
          ];
          writeOut(
            `\n${v.differing.count} of ${v.rows} decisions differ` +
              (v.differing.count > 0
                ? ` (rows ${v.differing.rows.slice(0, 10).join(', ')}…)`
                : '') +
              `\n${v.passed ? 'PASSED' : `FAILED: ${why.join('; ')}`} (validation ${v.id})\n`,
          );
        });
        if (!v.passed) process.exitCode = ExitCodes.VERIFICATION_FAILED;
      },
    );
}

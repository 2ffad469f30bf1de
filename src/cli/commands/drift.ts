import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import {
  auditDataset,
  buildBaseline,
  compareToBaseline,
  DEFAULT_DRIFT_RULE,
  type DataTable,
  type DigestCheckInput,
  type DriftComparison,
  formatFromPath,
  parseParquet,
  parseTable,
  renderAuditMarkdown,
  ruleProblems,
  windowColumnsFromTable,
} from '../../detect/index.js';
import { positiveNumber } from '../context.js';
import { formatOption, printJson, printRows, printTable } from '../output/index.js';
import { writeOut, writeErr } from '../output.js';
import {
  chooseLabelColumn,
  columnMismatches,
  enforceFailOn,
  failOnOption,
  warn,
} from './data-checks.js';

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new AppError(
      'CLI_USAGE',
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}

async function readTable(path: string): Promise<DataTable> {
  const format = formatFromPath(path);
  const bytes = await readBytes(path);
  return format === 'parquet' ? parseParquet(bytes) : parseTable(bytes.toString('utf8'), format);
}

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const fmt = (x: number | null) => (x === null ? null : Number(x.toPrecision(4)));

const FEATURE_COLUMNS = [
  'name',
  'type',
  'test',
  'statistic',
  'pValue',
  'adjustedPValue',
  'psi',
  'jensenShannon',
  'wasserstein',
  'missingRate',
  'drifted',
  'reasons',
];

function printComparison(c: DriftComparison): void {
  printTable(
    c.features.map((f) => ({
      feature: f.name,
      test: f.test,
      statistic: fmt(f.statistic),
      p: fmt(f.pValue),
      adjP: fmt(f.adjustedPValue),
      psi: fmt(f.psi),
      js: fmt(f.jensenShannon),
      wasserstein: fmt(f.wasserstein),
      missing: fmt(f.missingRate),
      drifted: f.drifted ? f.reasons.join('+') : '',
    })),
    ['feature', 'test', 'statistic', 'p', 'adjP', 'psi', 'js', 'wasserstein', 'missing', 'drifted'],
  );
  writeOut(
    `\n${c.drifted.length} of ${c.compared} features drifted (share ${c.share.toFixed(2)}, rule ${c.rule.datasetShare}): ` +
      `${c.datasetDrift ? 'DATA SET DRIFT' : 'no data-set drift'}\n`,
  );
}

/** Reads a digest manifest: JSON {files:[{path, sha256}]} or `sha256sum` lines. */
async function readManifest(path: string): Promise<DigestCheckInput[]> {
  const text = (await readBytes(path)).toString('utf8');
  let entries: { path: string; sha256: string }[];
  try {
    const json = JSON.parse(text) as { files?: { path?: unknown; sha256?: unknown }[] };
    entries = (json.files ?? []).map((f, i) => {
      if (typeof f.path !== 'string' || typeof f.sha256 !== 'string')
        throw new AppError('CLI_USAGE', `${path}: files[${i}] needs string "path" and "sha256"`);
      return { path: f.path, sha256: f.sha256 };
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    entries = text
      .split(/\r?\n/)
      .filter((l) => l.trim())
      .map((line, i) => {
        const m = /^([0-9a-fA-F]{64})\s+\*?(.+)$/.exec(line.trim());
        if (!m)
          throw new AppError(
            'CLI_USAGE',
            `${path}: line ${i + 1} is neither JSON nor "<sha256>  <file>"`,
          );
        return { sha256: m[1]!, path: m[2]! };
      });
  }
  const base = dirname(resolve(path));
  return Promise.all(
    entries.map(async (e) => ({
      name: e.path,
      expected: e.sha256,
      bytes: await readBytes(resolve(base, e.path)),
    })),
  );
}

function registerDrift(program: Command): void {
  program
    .command('drift')
    .description(
      'compare two data files column by column (KS, PSI, Wasserstein, Jensen–Shannon, chi-square)',
    )
    .argument('<reference>', 'reference data (.csv, .jsonl, .parquet)')
    .argument('<current>', 'current data (.csv, .jsonl, .parquet)')
    .addOption(formatOption())
    .option('--exclude <columns>', 'columns not compared (comma-separated)', list, [])
    .option('--alpha <p>', 'adjusted p-value threshold', positiveNumber, DEFAULT_DRIFT_RULE.alpha)
    .option('--psi <value>', 'PSI threshold', positiveNumber, DEFAULT_DRIFT_RULE.psi)
    .option(
      '--share <fraction>',
      'share of drifted features for data-set drift',
      positiveNumber,
      DEFAULT_DRIFT_RULE.datasetShare,
    )
    .addOption(failOnOption())
    .action(async (referencePath: string, currentPath: string, opts) => {
      const [reference, current] = await Promise.all([
        readTable(referencePath),
        readTable(currentPath),
      ]);
      // Every reference value is kept, so KS and Wasserstein equal scipy's on the files.
      const baseline = buildBaseline(reference, {
        name: referencePath,
        exclude: opts.exclude,
        sampleSize: Number.MAX_SAFE_INTEGER,
      });
      const rule = {
        ...DEFAULT_DRIFT_RULE,
        alpha: opts.alpha,
        psi: opts.psi,
        datasetShare: opts.share,
        minRows: 1,
        ksReference: 'sample' as const,
      };
      const problems = ruleProblems(rule);
      if (problems.length) throw new AppError('CLI_USAGE', problems.join('; '));
      const comparison = compareToBaseline(
        baseline,
        windowColumnsFromTable(baseline, current),
        rule,
      );
      const excluded = new Set<string>(opts.exclude);
      const warnings = [
        ...baseline.warnings,
        ...columnMismatches(
          { name: referencePath, columns: reference.columns.filter((c) => !excluded.has(c)) },
          { name: currentPath, columns: current.columns.filter((c) => !excluded.has(c)) },
        ),
      ];
      if (opts.format === 'json')
        printJson({ reference: referencePath, current: currentPath, warnings, ...comparison });
      else if (opts.format !== 'table') {
        // One row per feature: jsonl for jq and SIEM shippers, csv for spreadsheets.
        printRows(opts.format, comparison.features, FEATURE_COLUMNS);
        warn(warnings);
      } else {
        printComparison(comparison);
        warn(warnings);
      }
      enforceFailOn(opts.failOn, {
        verdict: comparison.datasetDrift
          ? `data-set drift: ${comparison.drifted.length} of ${comparison.compared} features drifted`
          : null,
        signals: [...comparison.drifted.map((f) => `feature ${f} drifted`), ...warnings],
      });
    });
}

function registerAudit(program: Command): void {
  const data =
    program.commands.find((c) => c.name() === 'data') ??
    program.command('data').description('training data checks');
  data
    .command('audit')
    .description('audit a candidate training batch against a trusted snapshot for poisoning')
    .requiredOption('--baseline <file>', 'trusted snapshot (.csv, .jsonl, .parquet)')
    .requiredOption('--candidate <file>', 'new batch (.csv, .jsonl, .parquet)')
    .option('--label <column>', 'label column')
    .option('--id <column>', 'row id column (default: 1-based row number)')
    .option(
      '--manifest <file>',
      'recorded digests: JSON {files:[{path,sha256}]} or sha256sum lines',
    )
    .option('--neighbours <pool>', 'label-flip neighbours: mixed or trusted', 'mixed')
    .option('--out <dir>', 'write audit.json, audit.md and quarantine.csv here')
    .option('--format <format>', 'markdown or json when printing', 'markdown')
    .addOption(failOnOption())
    .action(async (opts) => {
      if (opts.neighbours !== 'mixed' && opts.neighbours !== 'trusted')
        throw new AppError(
          'CLI_USAGE',
          `--neighbours must be mixed or trusted, got "${opts.neighbours}"`,
        );
      const [baseline, candidate] = await Promise.all([
        readTable(opts.baseline),
        readTable(opts.candidate),
      ]);
      const digests = opts.manifest ? await readManifest(opts.manifest) : [];
      const label = chooseLabelColumn(baseline.columns, candidate.columns, opts.label);
      const warnings = columnMismatches(
        { name: opts.baseline, columns: baseline.columns },
        { name: opts.candidate, columns: candidate.columns },
      );
      if (label.note) writeErr(`aisoc: ${label.note}\n`);
      const report = auditDataset({
        baseline,
        candidate,
        labelColumn: label.column,
        idColumn: opts.id,
        neighbourPool: opts.neighbours,
        digests,
      });
      const markdown = renderAuditMarkdown(
        report,
        `Data audit: ${opts.candidate} against ${opts.baseline}`,
      );
      if (opts.out) {
        await mkdir(opts.out, { recursive: true });
        const csv =
          [
            'row,id,reasons',
            ...report.quarantine.map(
              (q) => `${q.row + 1},"${q.id.replace(/"/g, '""')}",${q.reasons.join(';')}`,
            ),
          ].join('\n') + '\n';
        await writeFile(join(opts.out, 'audit.json'), JSON.stringify(report, null, 2) + '\n');
        await writeFile(join(opts.out, 'audit.md'), markdown);
        await writeFile(join(opts.out, 'quarantine.csv'), csv);
        writeOut(`${report.quarantine.length} rows quarantined; report in ${opts.out}\n`);
      } else if (opts.format === 'json') printJson({ ...report, warnings });
      else writeOut(markdown);
      warn(warnings);
      enforceFailOn(opts.failOn, auditVerdict(report, warnings));
    });
}

/** What `--fail-on` sees in an audit: poisoning evidence is the verdict, findings are signals. */
function auditVerdict(
  report: ReturnType<typeof auditDataset>,
  warnings: readonly string[],
): { verdict: string | null; signals: string[] } {
  const evidence = [
    report.featureDrift.datasetDrift ? 'data-set drift' : null,
    report.quarantine.length > 0 ? `${report.quarantine.length} row(s) quarantined` : null,
    report.digests.some((d) => !d.ok) ? 'a file does not match its recorded digest' : null,
  ].filter((e): e is string => e !== null);
  return {
    verdict: evidence.length > 0 ? evidence.join(', ') : null,
    signals: [...report.findings, ...warnings],
  };
}

/** `aisoc drift REFERENCE CURRENT` and `aisoc data audit --baseline --candidate`. */
export function registerDriftCommands(program: Command): void {
  registerDrift(program);
  registerAudit(program);
}

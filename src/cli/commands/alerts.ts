import type { Command } from 'commander';
import type { Alert } from '../../core/index.js';
import { adminClientFrom, positiveNumber } from '../context.js';
import {
  formatFrom,
  formatOption,
  jsonOption,
  printRecord,
  printRows,
  printTable,
} from '../output/index.js';
import { writeOut } from '../output.js';

/** `aisoc alerts` and `aisoc detectors`: what the detectors running beside the gateway found. */
export function registerAlertCommands(program: Command): void {
  program
    .command('alerts')
    .description(
      'recent alerts raised by the detectors (drift, performance, extraction, evasion, integrity)',
    )
    .option('--model <id>', 'only this model')
    .option('--limit <n>', 'how many', positiveNumber, 50)
    .addOption(formatOption())
    .addOption(jsonOption())
    .action(async (opts, command: Command) => {
      const query = new URLSearchParams({ limit: String(Math.round(opts.limit)) });
      if (opts.model) query.set('model', opts.model);
      const { alerts } = await adminClientFrom(command).get<{ alerts: Alert[] }>(
        `/api/v1/alerts?${query}`,
      );
      printRows(formatFrom(opts), alerts, [
        'time',
        'detector',
        'kind',
        'model',
        'principal',
        'severity',
        'title',
        'atlasTechniques',
      ]);
    });

  program
    .command('detectors')
    .description('the detectors that run, the models each holds state for, and their drift windows')
    .option('--model <id>', 'also list the recent drift windows of this model')
    .addOption(formatOption())
    .addOption(jsonOption())
    .action(async (opts, command: Command) => {
      const format = formatFrom(opts);
      const client = adminClientFrom(command);
      const { detectors } = await client.get<{
        detectors: { name: string; description: string; models: string[] }[];
      }>('/api/v1/detectors');
      const windows = opts.model
        ? (
            await client.get<{
              windows: {
                index: number;
                start: string | null;
                end: string | null;
                rows: number;
                comparison: { datasetDrift: boolean; drifted: string[]; share: number };
              }[];
            }>(`/api/v1/drift/${encodeURIComponent(opts.model)}`)
          ).windows
        : undefined;
      if (format !== 'table')
        return format === 'json'
          ? printRecord(
              format,
              windows ? { detectors, driftWindows: windows } : { detectors },
              () => {},
            )
          : printRows(format, detectors, ['name', 'models', 'description']);
      printTable(detectors, ['name', 'models', 'description']);
      if (windows) {
        writeOut(`\ndrift windows of ${opts.model}:\n`);
        printTable(
          windows.map((w) => ({
            index: w.index,
            start: w.start,
            end: w.end,
            rows: w.rows,
            datasetDrift: w.comparison.datasetDrift,
            share: w.comparison.share,
            drifted: w.comparison.drifted,
          })),
          ['index', 'start', 'end', 'rows', 'datasetDrift', 'share', 'drifted'],
        );
      }
    });
}

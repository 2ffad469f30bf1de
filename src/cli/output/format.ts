import { Option } from 'commander';
import { AppError } from '../../core/index.js';

/** Every output format a command that prints data accepts. */
export const OUTPUT_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `--format table|json|jsonl|csv` (default table). */
export function formatOption(choices: readonly string[] = OUTPUT_FORMATS): Option {
  return new Option('--format <format>', 'output format').choices(choices).default('table');
}

/** The hidden `--json` kept from earlier releases: the same as `--format json`. */
export function jsonOption(): Option {
  return new Option('--json', 'same as --format json').hideHelp();
}

/** The format chosen by `--format` or the older `--json`; both together must agree. */
export function formatFrom(opts: { format?: string; json?: boolean }): OutputFormat {
  const format = (opts.format ?? 'table') as OutputFormat;
  if (opts.json && format !== 'table' && format !== 'json')
    throw new AppError('CLI_USAGE', `--json contradicts --format ${format}`);
  return opts.json ? 'json' : format;
}

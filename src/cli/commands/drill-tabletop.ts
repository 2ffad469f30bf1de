import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../../core/index.js';
import {
  appendDrillHistory,
  buildTabletop,
  parseTabletopResults,
  readDrillHistory,
  renderTabletopHtml,
  renderTabletopMarkdown,
  TABLETOP_FORMATS,
  TABLETOP_SCENARIOS,
  tabletopScenarioNamed,
  type DrillHistoryEntry,
  type Scorecard,
} from '../../drill/index.js';
import { configFrom } from '../context.js';
import { printJson, printTable, writeOut } from '../output.js';

/** Where drill scorecards and tabletop results are kept: `<dataDir>/drills/history.jsonl`. */
export function drillHistoryFile(command: Command): string {
  return join(configFrom(command).dataDir, 'drills', 'history.jsonl');
}

function readInput(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AppError('CLI_USAGE', `cannot read ${what} ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    return parseYaml(text) as unknown;
  } catch (cause) {
    throw new AppError(
      'CLI_USAGE',
      `${what} ${file} is not YAML or JSON: ${(cause as Error).message}`,
    );
  }
}

function scorecardFrom(file: string): Scorecard {
  const raw = readInput(file, 'scorecard');
  // `aisoc drill … --format json` prints an array of scorecards; take the first.
  const card = (Array.isArray(raw) ? raw[0] : raw) as Partial<Scorecard> | undefined;
  if (!card || typeof card.scenario !== 'string' || typeof card.detected !== 'boolean')
    throw new AppError(
      'CLI_USAGE',
      `scorecard ${file} is not a drill scorecard (expected the output of \`aisoc drill SCENARIO --format json\`)`,
    );
  return card as Scorecard;
}

/**
 * `--format` as given to this subcommand, else to `drill` (which parses it first when it is
 * typed after the subcommand's name, having its own `--format`), else `fallback`.
 */
function formatOption(command: Command, fallback: string): string {
  const own = command.opts<{ format?: string }>().format;
  if (own !== undefined) return own;
  let parent = command.parent;
  while (parent && parent.name() !== 'drill') parent = parent.parent;
  return parent?.getOptionValueSource('format') === 'cli'
    ? parent.opts<{ format: string }>().format
    : fallback;
}

/** `aisoc drill tabletop SCENARIO`, `drill tabletop record SCENARIO`, `drill history`. */
export function registerTabletopCommands(drill: Command): void {
  const tabletop = drill
    .command('tabletop')
    .description(
      `write a facilitator's pack for a cross-functional tabletop exercise; SCENARIO is ${TABLETOP_SCENARIOS.join(', ')}`,
    )
    .argument('<scenario>', TABLETOP_SCENARIOS.join(' | '))
    .option('--format <format>', `${TABLETOP_FORMATS.join(' | ')} (default md)`)
    .option(
      '--scorecard <file>',
      'a drill scorecard (`aisoc drill … --format json`) for real timings',
    )
    .option('--out <file>', 'write the pack to a file instead of standard output')
    .action((name: string, opts: { scorecard?: string; out?: string }, command: Command) => {
      const scenario = tabletopScenarioNamed(name);
      const format = formatOption(command, 'md');
      if (!(TABLETOP_FORMATS as readonly string[]).includes(format))
        throw new AppError(
          'CLI_USAGE',
          `--format must be ${TABLETOP_FORMATS.join(', ')}, got "${format}"`,
        );
      const built = buildTabletop(
        scenario,
        opts.scorecard ? scorecardFrom(opts.scorecard) : undefined,
      );
      const text = format === 'html' ? renderTabletopHtml(built) : renderTabletopMarkdown(built);
      if (opts.out) {
        writeFileSync(opts.out, text);
        process.stderr.write(`wrote ${opts.out}\n`);
      } else writeOut(text);
    });

  tabletop
    .command('record')
    .description('add the results of a tabletop exercise (YAML or JSON) to the drill history')
    .argument('<scenario>', TABLETOP_SCENARIOS.join(' | '))
    .requiredOption('--results <file>', 'date, participants, scores per decision (0-2), lessons')
    .action((name: string, opts: { results: string }, command: Command) => {
      const scenario = tabletopScenarioNamed(name);
      const record = parseTabletopResults(
        scenario,
        readInput(opts.results, 'results'),
        opts.results,
        new Date(),
      );
      const file = drillHistoryFile(command);
      appendDrillHistory(file, record);
      writeOut(
        `recorded tabletop ${scenario} of ${record.date}: ${(record.scoreShare * 100).toFixed(0)} % of the possible score, ${record.lessons.length} lessons (${file})\n`,
      );
    });

  drill
    .command('history')
    .description('past drill scorecards and tabletop results, oldest first')
    .option('--format <format>', 'table | json (default table)')
    .action((_opts: unknown, command: Command) => {
      const entries = readDrillHistory(drillHistoryFile(command));
      const format = formatOption(command, 'table');
      if (format === 'json') return printJson(entries);
      if (format !== 'table')
        throw new AppError('CLI_USAGE', `--format must be table or json, got "${format}"`);
      printTable(entries.map(historyRow), ['recordedAt', 'kind', 'scenario', 'result']);
    });
}

function historyRow(e: DrillHistoryEntry): Record<string, unknown> {
  if (e.kind === 'tabletop')
    return {
      recordedAt: e.recordedAt,
      kind: 'tabletop',
      scenario: e.scenario,
      result: `${(e.scoreShare * 100).toFixed(0)} % score, ${e.participants.length} participants`,
    };
  return {
    recordedAt: e.recordedAt,
    kind: 'drill',
    scenario: `${e.scenario} (${e.attack}) on ${e.model}`,
    result: e.passed ? 'PASS' : 'FAIL',
  };
}

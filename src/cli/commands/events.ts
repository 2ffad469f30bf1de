import type { Command } from 'commander';
import { AppError } from '../../core/index.js';
import { EVENT_FORMATS, type EventFormat } from '../../forensics/index.js';
import { adminClientFrom, positiveNumber } from '../context.js';
import { printJson, printTable, writeOut } from '../output.js';

// Filters passed through to GET /api/v1/events as they are; the server checks them.
const FILTERS = [
  ['model', 'model'],
  ['modelVersion', 'version'],
  ['principal', 'principal'],
  ['key', 'key'],
  ['source', 'source'],
  ['from', 'from'],
  ['to', 'to'],
  ['status', 'status'],
  ['outcome', 'outcome'],
  ['incident', 'incident'],
  ['afterSeq', 'afterSeq'],
] as const;

/** `aisoc events`: inference events from the indexed ledger, filtered, in four formats. */
export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description('list inference events recorded in the ledger')
    .option('--model <id>', 'only this model')
    .option('--model-version <v>', 'only this model version (with --model)')
    .option('--principal <name>', 'only this principal')
    .option('--key <id>', 'only this API key id')
    .option('--source <address>', 'only this source address')
    .option('--from <time>', 'only events at or after this ISO 8601 time')
    .option('--to <time>', 'only events at or before this ISO 8601 time')
    .option('--status <code>', 'only this HTTP status')
    .option('--outcome <outcome>', 'ok, rejected, upstream_error or fallback')
    .option('--incident <id>', "only the events of this incident's models, principals and window")
    .option('--after-seq <seq>', 'only events after this ledger sequence number')
    .option(
      '--limit <n>',
      'how many (table/json: newest 50 by default; jsonl/csv: all)',
      positiveNumber,
    )
    .option('--format <format>', `${EVENT_FORMATS.join(', ')} (jsonl and csv stream)`, 'table')
    .option('--json', 'the same as --format json')
    .action(async (opts, command: Command) => {
      const format = (opts.json ? 'json' : opts.format) as EventFormat;
      if (!(EVENT_FORMATS as readonly string[]).includes(format))
        throw new AppError('CLI_USAGE', `--format must be one of ${EVENT_FORMATS.join(', ')}`);
      const query = new URLSearchParams();
      for (const [option, param] of FILTERS)
        if (opts[option] !== undefined) query.set(param, String(opts[option]));
      const streamed = format === 'jsonl' || format === 'csv';
      const limit = opts.limit ?? (streamed ? undefined : 50);
      if (limit !== undefined) query.set('limit', String(Math.round(limit)));
      const client = adminClientFrom(command);
      if (streamed) {
        query.set('format', format);
        // Streamed as it comes. To a file or a pipe the bytes go as they are (CSV keeps its
        // CRLF); to a terminal through the same escaping as every other print, since a record
        // can hold C1 controls or bidi overrides that JSON and CSV would pass on.
        const decoder = new TextDecoder();
        return client.getStream(`/api/v1/events?${query}`, (chunk) => {
          if (!process.stdout.isTTY) process.stdout.write(chunk);
          else writeOut(decoder.decode(chunk, { stream: true }).replace(/\r\n/g, '\n'));
        });
      }
      const { events } = await client.get<{ events: Record<string, unknown>[] }>(
        `/api/v1/events?${query}`,
      );
      if (format === 'json') return printJson(events);
      printTable(events, [
        'seq',
        'time',
        'model',
        'modelVersion',
        'principal',
        'sourceAddress',
        'status',
        'outcome',
        'errorCode',
        'latencyMs',
      ]);
    });
}

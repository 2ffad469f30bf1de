import type { Command } from 'commander';
import type { InferenceEvent } from '../../core/index.js';
import { adminClientFrom, positiveNumber } from '../context.js';
import { formatFrom, formatOption, jsonOption, printRows } from '../output/index.js';

/** `aisoc events`: recent inference events from the ledger. */
export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description('list inference events recorded in the ledger')
    .option('--model <id>', 'only this model')
    .option('--principal <name>', 'only this principal')
    .option('--from <seq>', 'start at this ledger sequence number')
    .option('--limit <n>', 'how many', positiveNumber, 50)
    .addOption(formatOption())
    .addOption(jsonOption())
    .action(async (opts, command: Command) => {
      const query = new URLSearchParams({ limit: String(Math.round(opts.limit)) });
      if (opts.model) query.set('model', opts.model);
      if (opts.principal) query.set('principal', opts.principal);
      if (opts.from) query.set('from', opts.from);
      const { events } = await adminClientFrom(command).get<{ events: InferenceEvent[] }>(
        `/api/v1/events?${query}`,
      );
      printRows(formatFrom(opts), events, [
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

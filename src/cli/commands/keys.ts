import type { Command } from 'commander';
import { AppError, type AppliedAction } from '../../core/index.js';
import type { ApiKeyView } from '../../api/index.js';
import { adminClientFrom, csv, positiveNumber } from '../context.js';
import { formatFrom, formatOption, jsonOption, printRecord, printRows } from '../output/index.js';
import { writeOut } from '../output.js';

/** `aisoc keys create|list|suspend|reinstate|revoke`. */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('create and manage gateway API keys');

  keys
    .command('create')
    .description('create a key bound to a principal; the secret is printed once')
    .requiredOption('--principal <name>', 'who the key belongs to')
    .option('--description <text>', 'a note about the key')
    .option('--models <ids>', 'comma-separated model ids the key may call (default: all)', csv)
    .option('--rate <perSecond>', 'requests per second', positiveNumber)
    .option('--burst <count>', 'bucket size', positiveNumber)
    .addOption(formatOption())
    .addOption(jsonOption())
    .action(async (opts, command: Command) => {
      const result = await adminClientFrom(command).post<{ key: ApiKeyView; secret: string }>(
        '/api/v1/keys',
        {
          principal: opts.principal,
          description: opts.description,
          models: opts.models,
          ratePerSecond: opts.rate,
          burst: opts.burst === undefined ? undefined : Math.round(opts.burst),
        },
      );
      printRecord(formatFrom(opts), result, () =>
        writeOut(
          `key ${result.key.id} for ${result.key.principal}\nsecret (shown once): ${result.secret}\n`,
        ),
      );
    });

  keys
    .command('list')
    .description('list keys with their state')
    .addOption(formatOption())
    .addOption(jsonOption())
    .action(async (opts, command: Command) => {
      const { keys: list } = await adminClientFrom(command).get<{ keys: ApiKeyView[] }>(
        '/api/v1/keys',
      );
      printRows(formatFrom(opts), list, [
        'id',
        'principal',
        'state',
        'prefix',
        'models',
        'ratePerSecond',
        'createdAt',
      ]);
    });

  for (const kind of ['suspend', 'revoke'] as const) {
    keys
      .command(`${kind} <keyId>`)
      .description(
        kind === 'suspend'
          ? 'block a key until reinstated (liftable containment action)'
          : 'block a key for good',
      )
      .requiredOption('--reason <text>', 'why (recorded in the audit ledger)')
      .action(async (keyId: string, opts, command: Command) => {
        const action = await adminClientFrom(command).post<AppliedAction>('/api/v1/actions', {
          action: { kind: `${kind}_key`, keyId },
          reason: opts.reason,
        });
        writeOut(
          `${kind === 'suspend' ? 'suspended' : 'revoked'} ${keyId} (action ${action.id})\n`,
        );
      });
  }

  keys
    .command('reinstate <keyId>')
    .description('lift every active suspension of a key')
    .action(async (keyId: string, _opts, command: Command) => {
      const client = adminClientFrom(command);
      const { keys: all } = await client.get<{ keys: ApiKeyView[] }>('/api/v1/keys');
      const key = all.find((k) => k.id === keyId);
      if (!key) throw new AppError('NOT_FOUND', `no API key ${keyId}`);
      if (key.state === 'revoked')
        throw new AppError(
          'CLI_REFUSED',
          `key ${keyId} is revoked, and revocation is final; create a new key for ${key.principal}`,
        );
      const { actions } = await client.get<{ actions: AppliedAction[] }>(
        '/api/v1/actions?active=true',
      );
      const suspensions = actions.filter(
        (a) => a.action.kind === 'suspend_key' && a.action.keyId === keyId,
      );
      for (const a of suspensions)
        await client.post(`/api/v1/actions/${encodeURIComponent(a.id)}/lift`);
      writeOut(`lifted ${suspensions.length} suspension(s) of ${keyId}\n`);
    });
}

import type { Command } from 'commander';
import {
  AppError,
  FallbackSchema,
  type AppliedAction,
  type ContainmentAction,
} from '../../core/index.js';
import { adminClientFrom, positiveNumber } from '../context.js';
import { formatFrom, formatOption, jsonOption, printRows } from '../output/index.js';
import { writeOut } from '../output.js';

/** `aisoc policy list|rate-limit|isolate|pin|lift`: containment actions at the gateway. */
export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('apply, list and lift containment actions');

  policy
    .command('list')
    .description('list containment actions (active only unless --all)')
    .option('--all', 'include lifted actions')
    .addOption(formatOption())
    .addOption(jsonOption())
    .action(async (opts, command: Command) => {
      const { actions } = await adminClientFrom(command).get<{ actions: AppliedAction[] }>(
        `/api/v1/actions${opts.all ? '' : '?active=true'}`,
      );
      printRows(
        formatFrom(opts),
        actions,
        ['id', 'kind', 'target', 'reason', 'actor', 'appliedAt', 'liftedAt'],
        actions.map((a) => ({
          ...a,
          kind: a.action.kind,
          target: 'keyId' in a.action ? a.action.keyId : a.action.model,
        })),
      );
    });

  const apply = async (command: Command, action: ContainmentAction, reason: string) => {
    const applied = await adminClientFrom(command).post<AppliedAction>('/api/v1/actions', {
      action,
      reason,
    });
    writeOut(`applied ${action.kind} as ${applied.id}\n`);
  };

  policy
    .command('rate-limit <keyId>')
    .description("limit a key's requests per second (token bucket)")
    .requiredOption('--rate <perSecond>', 'requests per second', positiveNumber)
    .requiredOption('--burst <count>', 'bucket size', positiveNumber)
    .requiredOption('--reason <text>', 'why')
    .action((keyId: string, opts, command: Command) =>
      apply(
        command,
        { kind: 'rate_limit', keyId, ratePerSecond: opts.rate, burst: Math.round(opts.burst) },
        opts.reason,
      ),
    );

  policy
    .command('isolate <model>')
    .description('answer from a fallback instead of the model')
    .option('--fallback <json>', 'e.g. {"kind":"static","status":200,"body":{"label":0}}')
    .requiredOption('--reason <text>', 'why')
    .action((model: string, opts, command: Command) => {
      let fallback: ContainmentAction & { kind: 'isolate_model' } = {
        kind: 'isolate_model',
        model,
      };
      if (opts.fallback) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(opts.fallback);
        } catch {
          throw new AppError('CLI_USAGE', '--fallback is not valid JSON');
        }
        fallback = { ...fallback, fallback: FallbackSchema.parse(parsed) };
      }
      return apply(command, fallback, opts.reason);
    });

  policy
    .command('pin <model> <version>')
    .description('serve this version whatever clients ask for')
    .requiredOption('--reason <text>', 'why')
    .action((model: string, version: string, opts, command: Command) =>
      apply(command, { kind: 'pin_version', model, version }, opts.reason),
    );

  policy
    .command('lift <actionId>')
    .description('undo a containment action')
    .action(async (actionId: string, _opts, command: Command) => {
      const result = await adminClientFrom(command).post<{ status: string }>(
        `/api/v1/actions/${encodeURIComponent(actionId)}/lift`,
      );
      writeOut(`${result.status.replace('_', ' ')}: ${actionId}\n`);
    });
}

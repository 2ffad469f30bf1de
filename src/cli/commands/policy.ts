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
/** What an action is aimed at, as the list shows it. */
function actionTarget(action: ContainmentAction): string {
  if ('keyId' in action && action.keyId !== undefined) return action.keyId;
  if (action.kind === 'rate_limit' && action.endpoint !== undefined) return action.endpoint;
  return 'model' in action && action.model !== undefined ? action.model : '';
}

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
          target: actionTarget(a.action),
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
    .command('rate-limit [keyId]')
    .description(
      "limit a key's requests per second, or with --model every key's together on a model (or one --endpoint of it)",
    )
    .option('--model <model>', 'limit every key on this model (instead of one key)')
    .option('--endpoint <path>', 'with --model: only this inference path, e.g. /v2/models/M/infer')
    .requiredOption('--rate <perSecond>', 'requests per second', positiveNumber)
    .requiredOption('--burst <count>', 'bucket size', positiveNumber)
    .option('--rows <perSecond>', 'rows per second (default: --rate)', positiveNumber)
    .option('--row-burst <count>', 'row bucket size (default: --burst)', positiveNumber)
    .requiredOption('--reason <text>', 'why')
    .action((keyId: string | undefined, opts, command: Command) => {
      if ((keyId === undefined) === (opts.model === undefined))
        throw new AppError('CLI_USAGE', 'name either a key id or --model, not both');
      if (opts.endpoint !== undefined && opts.model === undefined)
        throw new AppError('CLI_USAGE', '--endpoint needs --model');
      return apply(
        command,
        {
          kind: 'rate_limit',
          ...(keyId !== undefined ? { keyId } : { model: opts.model as string }),
          ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint as string } : {}),
          ratePerSecond: opts.rate,
          burst: Math.round(opts.burst),
          ...(opts.rows !== undefined ? { rowsPerSecond: opts.rows } : {}),
          ...(opts.rowBurst !== undefined ? { rowBurst: Math.round(opts.rowBurst) } : {}),
        },
        opts.reason,
      );
    });

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

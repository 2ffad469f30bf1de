import type { Command } from 'commander';
import type { AppliedAction } from '../../core/index.js';
import { adminClientFrom } from '../context.js';
import { printJson, printTable } from '../output.js';
import { registerIncidentCommands } from './incidents.js';
import { registerPlaybookCommands } from './playbooks.js';
import { registerEvidenceBundleCommands } from './evidence.js';

const path = (id: string) => encodeURIComponent(id);

/** `aisoc incidents|actions|approvals|tasks|playbooks|evidence`: incident response. */
export function registerRespondCommands(program: Command): void {
  registerIncidentCommands(program);
  registerActionsAndApprovals(program);
  registerPlaybookCommands(program);
  registerEvidence(program);
}

function registerActionsAndApprovals(program: Command): void {
  const actions = program
    .command('actions')
    .description('containment actions applied by playbooks and people');
  actions
    .command('list')
    .option('--incident <id>', 'only the actions of one incident')
    .option('--all', 'include lifted actions')
    .action(async (opts: { incident?: string; all?: boolean }, command: Command) => {
      const client = adminClientFrom(command);
      const { actions: rows } = opts.incident
        ? await client.get<{ actions: AppliedAction[] }>(
            `/api/v1/incidents/${path(opts.incident)}/actions`,
          )
        : await client.get<{ actions: AppliedAction[] }>(
            `/api/v1/actions${opts.all ? '' : '?active=true'}`,
          );
      printTable(
        rows
          .filter((a) => opts.all || a.liftedAt === null)
          .map((a) => ({
            ...a,
            kind: a.action.kind,
            target: 'keyId' in a.action ? a.action.keyId : a.action.model,
          })),
        ['id', 'kind', 'target', 'actor', 'appliedAt', 'reason'],
      );
    });
  actions
    .command('lift <id>')
    .action(async (id: string, _o, command: Command) =>
      printJson(await adminClientFrom(command).post(`/api/v1/actions/${path(id)}/lift`)),
    );

  const approvals = program.command('approvals').description('approvals playbooks wait for');
  approvals
    .command('list')
    .option('--all', 'include decided approvals')
    .action(async (opts: { all?: boolean }, command: Command) => {
      const { approvals: rows } = await adminClientFrom(command).get<{
        approvals: Record<string, unknown>[];
      }>(`/api/v1/approvals${opts.all ? '' : '?status=open'}`);
      printTable(rows, ['id', 'incidentId', 'role', 'status', 'doneBy', 'title']);
    });
  for (const [name, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    approvals
      .command(`${name} <id>`)
      .requiredOption('--role <role>', 'the role you act in (must be the one the approval names)')
      .action(async (id: string, opts: { role: string }, command: Command) =>
        printJson(
          await adminClientFrom(command).post(`/api/v1/approvals/${path(id)}`, {
            decision,
            role: opts.role,
          }),
        ),
      );
  }
  const tasks = program.command('tasks').description('checklist items of incidents');
  tasks.command('list').action(async (_o, command: Command) => {
    const { tasks: rows } = await adminClientFrom(command).get<{
      tasks: Record<string, unknown>[];
    }>('/api/v1/tasks?status=open');
    printTable(rows, ['id', 'incidentId', 'role', 'title']);
  });
  tasks
    .command('done <id>')
    .action(async (id: string, _o, command: Command) =>
      printJson(await adminClientFrom(command).post(`/api/v1/tasks/${path(id)}/done`)),
    );
}

function registerEvidence(program: Command): void {
  const evidence = program
    .command('evidence')
    .description('the content-addressed evidence of incidents');
  evidence
    .command('list')
    .option('--incident <id>', 'only one incident')
    .action(async (opts: { incident?: string }, command: Command) => {
      const { evidence: rows } = await adminClientFrom(command).get<{
        evidence: Record<string, unknown>[];
      }>(`/api/v1/evidence${opts.incident ? `?incident=${path(opts.incident)}` : ''}`);
      printTable(rows, [
        'digest',
        'incidentId',
        'kind',
        'size',
        'collectedBy',
        'createdAt',
        'description',
      ]);
    });
  registerEvidenceBundleCommands(evidence); // add, export, verify (issue 12)
}

import type { Command } from 'commander';
import type { AppliedAction } from '../../core/index.js';
import { adminClientFrom } from '../context.js';
import { formatFrom, formatOption, printRecord, printRows } from '../output/index.js';
import { writeOut } from '../output.js';
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
    .description('active containment actions (all with --all)')
    .option('--incident <id>', 'only the actions of one incident')
    .option('--all', 'include lifted actions')
    .addOption(formatOption())
    .action(
      async (opts: { incident?: string; all?: boolean; format: string }, command: Command) => {
        const client = adminClientFrom(command);
        const { actions: rows } = opts.incident
          ? await client.get<{ actions: AppliedAction[] }>(
              `/api/v1/incidents/${path(opts.incident)}/actions`,
            )
          : await client.get<{ actions: AppliedAction[] }>(
              `/api/v1/actions${opts.all ? '' : '?active=true'}`,
            );
        const shown = rows.filter((a) => opts.all || a.liftedAt === null);
        printRows(
          formatFrom(opts),
          shown,
          ['id', 'kind', 'target', 'actor', 'appliedAt', 'reason'],
          shown.map((a) => ({
            ...a,
            kind: a.action.kind,
            target: 'keyId' in a.action ? a.action.keyId : a.action.model,
          })),
        );
      },
    );
  actions
    .command('lift <id>')
    .description('undo a containment action')
    .addOption(formatOption())
    .action(async (id: string, opts: { format: string }, command: Command) => {
      const result = await adminClientFrom(command).post<{ status: string }>(
        `/api/v1/actions/${path(id)}/lift`,
      );
      printRecord(formatFrom(opts), result, () =>
        writeOut(`${result.status.replace('_', ' ')}: ${id}\n`),
      );
    });

  const approvals = program.command('approvals').description('approvals playbooks wait for');
  approvals
    .command('list')
    .description('open approvals (all with --all)')
    .option('--all', 'include decided approvals')
    .addOption(formatOption())
    .action(async (opts: { all?: boolean; format: string }, command: Command) => {
      const { approvals: rows } = await adminClientFrom(command).get<{
        approvals: Record<string, unknown>[];
      }>(`/api/v1/approvals${opts.all ? '' : '?status=open'}`);
      printRows(formatFrom(opts), rows, ['id', 'incidentId', 'role', 'status', 'doneBy', 'title']);
    });
  for (const [name, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    approvals
      .command(`${name} <id>`)
      .description(`${decision === 'approved' ? 'approve' : 'reject'} what a playbook waits for`)
      .requiredOption('--role <role>', 'the role you act in (must be the one the approval names)')
      .addOption(formatOption())
      .action(async (id: string, opts: { role: string; format: string }, command: Command) => {
        const result = await adminClientFrom(command).post(`/api/v1/approvals/${path(id)}`, {
          decision,
          role: opts.role,
        });
        printRecord(formatFrom(opts), result, () => writeOut(`${decision}: ${id}\n`));
      });
  }
  const tasks = program.command('tasks').description('checklist items of incidents');
  tasks
    .command('list')
    .description('open checklist items')
    .addOption(formatOption())
    .action(async (opts: { format: string }, command: Command) => {
      const { tasks: rows } = await adminClientFrom(command).get<{
        tasks: Record<string, unknown>[];
      }>('/api/v1/tasks?status=open');
      printRows(formatFrom(opts), rows, ['id', 'incidentId', 'role', 'title']);
    });
  tasks
    .command('done <id>')
    .description('mark a checklist item done')
    .addOption(formatOption())
    .action(async (id: string, opts: { format: string }, command: Command) => {
      const result = await adminClientFrom(command).post(`/api/v1/tasks/${path(id)}/done`);
      printRecord(formatFrom(opts), result, () => writeOut(`done: ${id}\n`));
    });
}

function registerEvidence(program: Command): void {
  const evidence = program
    .command('evidence')
    .description('the content-addressed evidence of incidents');
  evidence
    .command('list')
    .description('evidence items with digest, kind, size and who collected them')
    .option('--incident <id>', 'only one incident')
    .addOption(formatOption())
    .action(async (opts: { incident?: string; format: string }, command: Command) => {
      const { evidence: rows } = await adminClientFrom(command).get<{
        evidence: Record<string, unknown>[];
      }>(`/api/v1/evidence${opts.incident ? `?incident=${path(opts.incident)}` : ''}`);
      printRows(formatFrom(opts), rows, [
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

import { existsSync, readFileSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AlertSchema, AppError, type Alert } from '../../core/index.js';
import {
  formatProblems,
  parsePlaybook,
  simulateRun,
  type Incident,
  type Playbook,
  type PlaybookProblem,
} from '../../respond/index.js';
import { adminClientFrom, configFrom, type GlobalOptions } from '../context.js';
import { formatFrom, formatOption, printRecord, printRows } from '../output/index.js';
import { writeOut } from '../output.js';

const path = (id: string) => encodeURIComponent(id);

/** Every problem of every playbook file under the paths given (files or folders). */
export async function validatePlaybookFiles(
  paths: readonly string[],
): Promise<{ file: string; problems: PlaybookProblem[] }[]> {
  const files: string[] = [];
  for (const p of paths) {
    if (!existsSync(p))
      throw new AppError('CLI_FILE_UNREADABLE', `playbook path: ${p} does not exist`);
    if (statSync(p).isDirectory())
      files.push(
        ...(await readdir(p))
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(p, f)),
      );
    else files.push(p);
  }
  const results = [];
  for (const file of files) {
    const r = parsePlaybook(await readFile(file, 'utf8'));
    results.push({ file, problems: r.ok ? [] : r.problems });
  }
  return results;
}

export function registerPlaybookCommands(program: Command): void {
  const playbooks = program.command('playbooks').description('validate, test and run playbooks');
  playbooks
    .command('validate <paths...>')
    .description('check playbook files offline; prints file:line:column for every problem')
    .action(async (paths: string[]) => {
      const results = await validatePlaybookFiles(paths);
      for (const r of results)
        writeOut(
          r.problems.length === 0 ? `ok  ${r.file}\n` : `${formatProblems(r.file, r.problems)}\n`,
        );
      const bad = results.filter((r) => r.problems.length > 0).length;
      if (bad > 0)
        throw new AppError(
          'RESPOND_PLAYBOOK_INVALID',
          `${bad} of ${results.length} playbook(s) invalid`,
        );
    });
  playbooks
    .command('test <file>')
    .description(
      'show, offline, what the playbook would do for an alert (JSON file of a core Alert)',
    )
    .requiredOption('--alert <file>', 'the alert to simulate')
    .action(async (file: string, opts: { alert: string }, command: Command) => {
      const r = parsePlaybook(await readFile(file, 'utf8'));
      if (!r.ok) throw new AppError('RESPOND_PLAYBOOK_INVALID', formatProblems(file, r.problems));
      const parsed = AlertSchema.safeParse(JSON.parse(readFileSync(opts.alert, 'utf8')));
      if (!parsed.success)
        throw new AppError(
          'VALIDATION_FAILED',
          `${opts.alert}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      const config = command.optsWithGlobals<GlobalOptions>().config
        ? configFrom(command)
        : undefined;
      printPlan(simulateForAlert(r.playbook, parsed.data, config?.models ?? []));
    });
  playbooks
    .command('list')
    .description('the playbooks the server runs')
    .addOption(formatOption())
    .action(async (opts: { format: string }, command: Command) => {
      const { playbooks: rows } = await adminClientFrom(command).get<{
        playbooks: { id: string; name: string; trigger: { kinds: string[] }; steps: unknown[] }[];
      }>('/api/v1/playbooks');
      printRows(
        formatFrom(opts),
        rows,
        ['id', 'kinds', 'steps', 'name'],
        rows.map((p) => ({ ...p, kinds: p.trigger.kinds, steps: p.steps.length })),
      );
    });
  playbooks
    .command('run <id>')
    .description('run a playbook for an incident (or show the plan with --dry-run)')
    .requiredOption('--incident <id>', 'the incident to run it for')
    .option('--dry-run', 'print what would happen; change nothing')
    .addOption(formatOption())
    .action(
      async (
        id: string,
        opts: { incident: string; dryRun?: boolean; format: string },
        command: Command,
      ) => {
        const result = await adminClientFrom(command).post<{
          plan?: { stepId: string; description: string }[];
        }>(`/api/v1/playbooks/${path(id)}/run`, {
          incidentId: opts.incident,
          dryRun: opts.dryRun === true,
        });
        printRecord(formatFrom(opts), result, () =>
          result.plan ? printPlan(result.plan) : printRecord('json', result, () => {}),
        );
      },
    );
}

function printPlan(plan: readonly { stepId: string; description: string }[]): void {
  plan.forEach((s, i) =>
    writeOut(`${String(i + 1).padStart(2)}. [${s.stepId}] ${s.description}\n`),
  );
}

function simulateForAlert(
  playbook: Playbook,
  alert: Alert,
  models: readonly { id: string; criticality: string }[],
) {
  const now = new Date().toISOString();
  const incident: Incident = {
    id: '(new incident)',
    title: alert.title,
    category: alert.kind,
    atlasTechniques: alert.atlasTechniques,
    owasp: alert.owasp,
    assets: alert.model ? [alert.model] : [],
    principals: alert.principal ? [alert.principal] : [],
    sources: alert.sourceAddress ? [alert.sourceAddress] : [],
    kinds: [alert.kind],
    alertIds: [alert.id],
    alertCount: 1,
    duplicateCount: 0,
    recent: [],
    severity: {
      computed: alert.severity,
      score: 0,
      reasons: [
        `criticality ${models.find((m) => m.id === alert.model)?.criticality ?? 'unknown'}`,
      ],
      override: null,
    },
    impactType: 'integrity',
    confidence: alert.confidence,
    dataSensitivity: 'internal',
    assignee: null,
    phase: 'detected',
    phaseTimes: { detected: now },
    firstSeen: alert.time,
    lastSeen: alert.time,
    timeToContainMs: null,
    mergedInto: null,
    createdAt: now,
    updatedAt: now,
  };
  return simulateRun(playbook, incident, alert, now);
}

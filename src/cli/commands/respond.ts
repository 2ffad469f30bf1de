import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  AlertSchema,
  AppError,
  canonicalJson,
  type Alert,
  type AppliedAction,
} from '../../core/index.js';
import {
  formatProblems,
  parsePlaybook,
  simulateRun,
  type Incident,
  type Playbook,
  type PlaybookProblem,
} from '../../respond/index.js';
import { adminClientFrom, configFrom, type GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';

const path = (id: string) => encodeURIComponent(id);

/** `aisoc incidents|actions|approvals|tasks|playbooks|evidence`: incident response. */
export function registerRespondCommands(program: Command): void {
  registerIncidents(program);
  registerActionsAndApprovals(program);
  registerPlaybooks(program);
  registerEvidence(program);
}

function registerIncidents(program: Command): void {
  const incidents = program
    .command('incidents')
    .description('incidents: list, show, assign, note, merge, split, phase, lift');
  incidents
    .command('list')
    .option('--all', 'include closed and merged incidents')
    .option('--json', 'print JSON')
    .action(async (opts, command: Command) => {
      const { incidents: rows } = await adminClientFrom(command).get<{ incidents: Incident[] }>(
        `/api/v1/incidents${opts.all ? '' : '?open=true'}`,
      );
      if (opts.json) return printJson(rows);
      printTable(
        rows.map((i) => ({
          ...i,
          severity: i.severity.override?.severity ?? i.severity.computed,
          models: i.assets,
          ttcMs: i.timeToContainMs,
        })),
        [
          'id',
          'severity',
          'phase',
          'category',
          'models',
          'principals',
          'assignee',
          'ttcMs',
          'title',
        ],
      );
    });
  incidents
    .command('show <id>')
    .option('--json', 'print JSON')
    .action(async (id: string, opts, command: Command) => {
      const d = await adminClientFrom(command).get<ShowResult>(`/api/v1/incidents/${path(id)}`);
      if (opts.json) return printJson(d);
      printIncident(d);
    });
  const post = (
    sub: string,
    build: (...args: string[]) => unknown,
    usage: string,
    description: string,
  ) =>
    incidents
      .command(usage)
      .description(description)
      .action(async (...args: unknown[]) => {
        const command = args.at(-1) as Command;
        const values = args.slice(0, -2).map((a) => (Array.isArray(a) ? a.join(' ') : String(a)));
        const opts = args.at(-2) as Record<string, string>;
        const result = await adminClientFrom(command).post(
          `/api/v1/incidents/${path(values[0]!)}/${sub}`,
          build(...values.slice(1), opts.reason ?? ''),
        );
        printJson(result);
      });
  post('assign', (assignee) => ({ assignee }), 'assign <id> <assignee>', 'assign an incident');
  post('notes', (text) => ({ text }), 'note <id> <text...>', 'add a note to the timeline');
  post(
    'phase',
    (phase) => ({ phase }),
    'phase <id> <phase>',
    'move to a NIST SP 800-61 phase (detected, analysing, contained, eradicated, recovered, closed)',
  );
  post(
    'lift',
    () => ({}),
    'lift <id>',
    "lift every containment action the incident's playbooks applied",
  );
  post(
    'merge',
    (sources) => ({ sources: sources!.split(' ') }),
    'merge <target> <sources...>',
    'fold other incidents into <target>',
  );
  post(
    'split',
    (alertIds) => ({ alertIds: alertIds!.split(' ') }),
    'split <id> <alertIds...>',
    'move alerts out into a new incident',
  );
  incidents
    .command('severity <id> <severity>')
    .description('override the computed severity (the reason is recorded)')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, severity: string, opts: { reason: string }, command: Command) => {
      printJson(
        await adminClientFrom(command).post(`/api/v1/incidents/${path(id)}/severity`, {
          severity,
          reason: opts.reason,
        }),
      );
    });
  incidents
    .command('metrics')
    .description('MTTD, MTTC and MTTR over all incidents (ms)')
    .action(async (_opts, command: Command) =>
      printJson(await adminClientFrom(command).get('/api/v1/incidents/metrics')),
    );
}

interface ShowResult {
  incident: Incident;
  metrics: Record<string, number | null>;
  techniques: { id: string; name?: string }[];
  owasp: { id: string; title: string | null }[];
  timeline: { at: string; type: string; actor: string; data: Record<string, unknown> }[];
  tasks: { id: string; kind: string; title: string; role: string | null; status: string }[];
  evidence: { digest: string; kind: string; size: number }[];
  actions: AppliedAction[];
}

function printIncident(d: ShowResult): void {
  const i = d.incident;
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`${i.id}  ${i.title}`);
  out(
    `phase ${i.phase}   severity ${i.severity.override?.severity ?? i.severity.computed}${i.severity.override ? ` (overridden by ${i.severity.override.by}: ${i.severity.override.reason}; computed ${i.severity.computed})` : ''}`,
  );
  for (const r of i.severity.reasons) out(`  · ${r}`);
  out(
    `category ${i.category}   impact ${i.impactType}   confidence ${i.confidence}   data ${i.dataSensitivity}   assignee ${i.assignee ?? '-'}`,
  );
  out(
    `models ${i.assets.join(', ') || '-'}   principals ${i.principals.join(', ') || '-'}   sources ${i.sources.join(', ') || '-'}`,
  );
  out(`ATLAS ${d.techniques.map((t) => `${t.id} ${t.name ?? ''}`).join('; ') || '-'}`);
  out(`OWASP ${d.owasp.map((o) => `${o.id} ${o.title ?? ''}`).join('; ') || '-'}`);
  out(
    `alerts ${i.alertCount} (+${i.duplicateCount} duplicates)   time-to-contain ${i.timeToContainMs ?? '-'} ms   TTD ${d.metrics.ttdMs ?? '-'} ms  TTC ${d.metrics.ttcMs ?? '-'} ms  TTR ${d.metrics.ttrMs ?? '-'} ms`,
  );
  out('\nactions');
  printTable(
    d.actions.map((a) => ({ id: a.id, kind: a.action.kind, lifted: a.liftedAt ?? '-' })),
    ['id', 'kind', 'lifted'],
  );
  out('\ntasks and approvals');
  printTable(d.tasks, ['id', 'kind', 'status', 'role', 'title']);
  out('\nevidence');
  printTable(d.evidence, ['digest', 'kind', 'size']);
  out('\ntimeline');
  printTable(
    d.timeline.map((t) => ({ ...t, data: canonicalJson(t.data) })),
    ['at', 'type', 'actor', 'data'],
  );
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

/** Every problem of every playbook file under the paths given (files or folders). */
export async function validatePlaybookFiles(
  paths: readonly string[],
): Promise<{ file: string; problems: PlaybookProblem[] }[]> {
  const files: string[] = [];
  for (const p of paths) {
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

function registerPlaybooks(program: Command): void {
  const playbooks = program.command('playbooks').description('validate, test and run playbooks');
  playbooks
    .command('validate <paths...>')
    .description('check playbook files offline; prints file:line:column for every problem')
    .action(async (paths: string[]) => {
      const results = await validatePlaybookFiles(paths);
      for (const r of results)
        process.stdout.write(
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
  playbooks.command('list').action(async (_o, command: Command) => {
    const { playbooks: rows } = await adminClientFrom(command).get<{
      playbooks: { id: string; name: string; trigger: { kinds: string[] }; steps: unknown[] }[];
    }>('/api/v1/playbooks');
    printTable(
      rows.map((p) => ({ ...p, kinds: p.trigger.kinds, steps: p.steps.length })),
      ['id', 'kinds', 'steps', 'name'],
    );
  });
  playbooks
    .command('run <id>')
    .requiredOption('--incident <id>', 'the incident to run it for')
    .option('--dry-run', 'print what would happen; change nothing')
    .action(async (id: string, opts: { incident: string; dryRun?: boolean }, command: Command) => {
      const result = await adminClientFrom(command).post<{
        plan?: { stepId: string; description: string }[];
      }>(`/api/v1/playbooks/${path(id)}/run`, {
        incidentId: opts.incident,
        dryRun: opts.dryRun === true,
      });
      if (result.plan) printPlan(result.plan);
      else printJson(result);
    });
}

function printPlan(plan: readonly { stepId: string; description: string }[]): void {
  plan.forEach((s, i) =>
    process.stdout.write(`${String(i + 1).padStart(2)}. [${s.stepId}] ${s.description}\n`),
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
  evidence
    .command('export <incident>')
    .description(
      'download every item, check its digest, write it with a manifest (the hand-over is recorded)',
    )
    .requiredOption('--out <dir>', 'folder to write')
    .action(async (incident: string, opts: { out: string }, command: Command) => {
      const client = adminClientFrom(command);
      const { evidence: items } = await client.get<{ evidence: { digest: string }[] }>(
        `/api/v1/evidence?incident=${path(incident)}`,
      );
      await mkdir(opts.out, { recursive: true });
      for (const item of items) {
        const bytes = await client.getBytes(`/api/v1/evidence/${path(item.digest)}/content`);
        const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
        if (actual !== item.digest)
          throw new AppError('RESPOND_EVIDENCE_CORRUPT', `${item.digest} arrived as ${actual}`);
        await writeFile(join(opts.out, item.digest.replace(':', '-')), bytes);
      }
      await writeFile(
        join(opts.out, 'manifest.json'),
        canonicalJson({ incident, exportedAt: new Date().toISOString(), items }),
      );
      process.stdout.write(`exported ${items.length} item(s) to ${opts.out}\n`);
    });
}

import type { Command } from 'commander';
import { canonicalJson, type AppliedAction } from '../../core/index.js';
import type { Incident } from '../../respond/index.js';
import { adminClientFrom } from '../context.js';
import {
  formatFrom,
  formatOption,
  jsonOption,
  printRecord,
  printRows,
  printTable,
} from '../output/index.js';
import { writeOut } from '../output.js';
import { printClocks } from './report.js';
import { registerFalsePositiveCommands } from './suppressions.js';

const path = (id: string) => encodeURIComponent(id);

/** `aisoc incidents …`: list, show, assign, note, severity, phase, merge, split, lift, metrics. */
export function registerIncidentCommands(program: Command): void {
  const incidents = program
    .command('incidents')
    .description('incidents: list, show, assign, note, merge, split, phase, lift');
  incidents
    .command('list')
    .description('open incidents (all with --all)')
    .option('--all', 'include closed and merged incidents')
    .addOption(formatOption())
    .addOption(jsonOption())
    .action(async (opts, command: Command) => {
      const { incidents: rows } = await adminClientFrom(command).get<{ incidents: Incident[] }>(
        `/api/v1/incidents${opts.all ? '' : '?open=true'}`,
      );
      printRows(
        formatFrom(opts),
        rows,
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
        rows.map((i) => ({
          ...i,
          severity: i.severity.override?.severity ?? i.severity.computed,
          models: i.assets,
          ttcMs: i.timeToContainMs,
        })),
      );
    });
  incidents
    .command('show <id>')
    .description('one incident: severity and why, ATLAS/OWASP, actions, tasks, evidence, timeline')
    .addOption(formatOption())
    .addOption(jsonOption())
    .action(async (id: string, opts, command: Command) => {
      const d = await adminClientFrom(command).get<ShowResult>(`/api/v1/incidents/${path(id)}`);
      printRecord(formatFrom(opts), d, () => printIncident(d));
      if (formatFrom(opts) === 'table') await printClocks(adminClientFrom(command), id); // report (issue 12)
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
      .addOption(formatOption())
      .action(async (...args: unknown[]) => {
        const command = args.at(-1) as Command;
        const values = args.slice(0, -2).map((a) => (Array.isArray(a) ? a.join(' ') : String(a)));
        const opts = args.at(-2) as Record<string, string>;
        const result = await adminClientFrom(command).post(
          `/api/v1/incidents/${path(values[0]!)}/${sub}`,
          build(...values.slice(1), opts.reason ?? ''),
        );
        printRecord(formatFrom(opts), result, () => printOutcome(`${sub} ${values[0]}`, result));
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
    .addOption(formatOption())
    .action(
      async (
        id: string,
        severity: string,
        opts: { reason: string; format: string },
        command: Command,
      ) => {
        const result = await adminClientFrom(command).post(
          `/api/v1/incidents/${path(id)}/severity`,
          { severity, reason: opts.reason },
        );
        printRecord(formatFrom(opts), result, () => printOutcome(`severity of ${id}`, result));
      },
    );
  registerFalsePositiveCommands(program, incidents);
  incidents
    .command('metrics')
    .description(
      'MTTD, MTTC and MTTR (ms) over incidents that were not false positives, and the false-positive rate',
    )
    .addOption(formatOption())
    .action(async (opts: { format: string }, command: Command) => {
      const metrics = await adminClientFrom(command).get<Record<string, unknown>>(
        '/api/v1/incidents/metrics',
      );
      printRecord(formatFrom(opts), metrics, () =>
        printTable(
          Object.entries(metrics).map(([metric, value]) => ({ metric, value })),
          ['metric', 'value'],
        ),
      );
    });
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

/** A one-line summary of a change the server made, for people. */
function printOutcome(what: string, result: unknown): void {
  const r = (result ?? {}) as Record<string, unknown>;
  const id = typeof r.id === 'string' ? ` (${r.id})` : '';
  writeOut(`done: ${what}${id}\n`);
}

const ms = (value: number | null | undefined) => (value == null ? '-' : `${value} ms`);

// Two different clocks, named apart: the first containment action a playbook applied, and the
// NIST phase times (TTC counts to the phase `contained`, set by a person or a playbook step).
function printIncident(d: ShowResult): void {
  const i = d.incident;
  const out = (s: string) => writeOut(`${s}\n`);
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
  out(`subject ${(i.subjects ?? []).join(', ') || '-'}`);
  out(`ATLAS ${d.techniques.map((t) => `${t.id} ${t.name ?? ''}`).join('; ') || '-'}`);
  out(`OWASP ${d.owasp.map((o) => `${o.id} ${o.title ?? ''}`).join('; ') || '-'}`);
  out(
    `alerts ${i.alertCount} (+${i.duplicateCount} duplicates)   first containment action ${ms(i.timeToContainMs)}\nphases: TTD ${ms(d.metrics.ttdMs)}  TTC ${ms(d.metrics.ttcMs)} (to phase contained)  TTR ${ms(d.metrics.ttrMs)}`,
  );
  out('\nlinked incidents');
  printTable(
    (i.links ?? []).map((l) => ({
      incident: l.incidentId,
      link: l.kind ?? 'subject',
      reason: l.reason,
    })),
    ['incident', 'link', 'reason'],
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

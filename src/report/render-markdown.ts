import { notificationDrafts } from './drafts.js';
import { duration, type Review } from './review.js';

const cell = (v: unknown) =>
  String(v ?? '—')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
function table(head: string[], rows: unknown[][]): string {
  if (rows.length === 0) return '_none_\n';
  return (
    [
      `| ${head.join(' | ')} |`,
      `| ${head.map(() => '---').join(' | ')} |`,
      ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    ].join('\n') + '\n'
  );
}
const list = (items: string[], none = '_none recorded_') =>
  (items.length ? items.map((i) => `- ${i}`).join('\n') : none) + '\n';

/** The review as Markdown: one section per NIST SP 800-61r2 post-incident question. */
export function renderMarkdown(r: Review): string {
  const i = r.incident;
  const out: string[] = [];
  out.push(`# Post-incident review: ${i.title}\n`);
  out.push(`Incident \`${i.id}\`, generated ${r.generatedAt}.\n`);
  out.push(`## Summary\n`);
  out.push(
    list([
      `Category: ${i.category}; kinds: ${i.kinds.join(', ')}`,
      `Severity: ${i.severity.override?.severity ?? i.severity.computed} (${i.severity.reasons.join('; ')})`,
      `Assets: ${i.assets.join(', ')}; principals: ${i.principals.join(', ') || '—'}; sources: ${i.sources.join(', ') || '—'}`,
      `Phase: ${i.phase}; assignee: ${i.assignee ?? '—'}`,
      `Affected decisions: ${r.affected.decisions} (${r.affected.flips} flip on the known-good version), ${r.affected.subjects} data subjects`,
    ]),
  );
  out.push(`## Metrics\n`);
  out.push(
    table(
      ['MTTD', 'time to contain', 'MTTR'],
      [[duration(r.metrics.ttdMs), duration(r.metrics.ttcMs), duration(r.metrics.ttrMs)]],
    ),
  );
  out.push(`## Detection\n`);
  out.push(
    table(
      ['time', 'detector', 'kind', 'confidence', 'title'],
      r.alerts.map((a) => [a.time, a.detector, a.kind, a.confidence, a.title]),
    ),
  );
  out.push(`## Techniques\n`);
  out.push(
    list([
      ...r.techniques.map((t) => `MITRE ATLAS ${t.id}${t.name ? ` ${t.name}` : ''}`),
      ...r.owasp.map((o) => `OWASP ${o.id}${o.title ? ` ${o.title}` : ''}`),
    ]),
  );
  out.push(`## Timeline\n`);
  out.push(
    table(
      ['at', 'what', 'who'],
      r.timeline.map((t) => [t.at, t.type, t.actor]),
    ),
  );
  out.push(`## Affected decisions\n`);
  out.push(
    table(
      ['model', 'version', 'known-good', 'decisions', 'flipped', 'subjects', 'window'],
      r.impact.map((x) => [
        x.model,
        x.version,
        x.goodVersion,
        x.decisions,
        x.flips,
        x.subjects,
        `${x.from ?? 'start'} .. ${x.to ?? 'end'}`,
      ]),
    ),
  );
  const rate = (v: number | null) => (v === null ? '—' : v.toFixed(3));
  for (const f of r.fairness ?? []) {
    const g = f.report;
    out.push(
      `## Fairness: ${f.model}\n\nPerformance window ${f.window.index} (${f.window.start} .. ${f.window.end}, ${f.window.size} labels), alert \`${f.alertId}\`.\n`,
    );
    out.push(
      table(
        ['group', 'n', 'accuracy', 'selection rate', 'TPR', 'FPR'],
        Object.entries(g.groups).map(([name, m]) => [
          name,
          m.n,
          rate(m.accuracy),
          rate(m.selectionRate),
          rate(m.truePositiveRate),
          rate(m.falsePositiveRate),
        ]),
      ),
    );
    out.push(
      list([
        `Accuracy gap: ${rate(g.accuracyGap)}`,
        `Demographic parity difference: ${rate(g.demographicParityDifference)}`,
        `Equalised-odds difference: ${rate(g.equalisedOddsDifference)}`,
        ...(f.alerted.length ? [`Alerted on: ${f.alerted.join(', ')}`] : []),
        ...(g.tooSmall.length ? [`Too small to compare: ${g.tooSmall.join(', ')}`] : []),
      ]),
    );
  }
  const byPrincipal = r.impact.flatMap((x) =>
    Object.entries(x.byPrincipal).map(([p, t]) => [p, t.decisions, t.flips]),
  );
  if (byPrincipal.length) out.push(table(['principal', 'decisions', 'flipped'], byPrincipal));
  out.push(`## Actions and approvals\n`);
  out.push(
    table(
      ['applied', 'action', 'by', 'lifted', 'reason'],
      r.actions.map((a) => [a.appliedAt, a.action.kind, a.actor, a.liftedAt, a.reason]),
    ),
  );
  out.push(
    table(
      ['approval', 'role', 'status', 'by'],
      r.approvals.map((t) => [t.title, t.role, t.status, t.doneBy]),
    ),
  );
  out.push(`## Evidence\n`);
  out.push(
    table(
      ['digest', 'kind', 'size', 'collected by', 'at', 'description'],
      r.evidence.map((e) => [
        `\`${e.digest}\``,
        e.kind,
        e.size,
        e.collectedBy,
        e.createdAt,
        e.description,
      ]),
    ),
  );
  out.push(`## Root cause\n`);
  out.push(list(r.rootCause, '_to be completed: add a note starting "root cause:"_'));
  out.push(`## Lessons\n`);
  out.push(list(r.lessons, '_to be completed: add a note starting "lesson:"_'));
  out.push(`## Open tasks\n`);
  out.push(list(r.openTasks.map((t) => `${t.title}${t.role ? ` (${t.role})` : ''}`)));
  out.push(`## Notification clocks\n`);
  out.push(
    table(
      ['duty', 'to', 'deadline', 'left', 'status', 'condition'],
      r.clocks.map((c) => [
        c.article,
        c.audience,
        c.deadline,
        c.leftMs === null ? '—' : duration(Math.max(0, c.leftMs)),
        c.status,
        c.condition,
      ]),
    ),
  );
  out.push(`## Notification drafts\n`);
  for (const d of notificationDrafts(r))
    out.push(`### ${d.article}: ${d.audience}\n\n\`\`\`text\n${d.text}\n\`\`\`\n`);
  return out.join('\n');
}

// The audit report as Markdown for people; the JSON form is the report object itself.
import type { AuditReport, QuarantinedRow } from './audit-dataset.js';

const fmt = (x: number | null | undefined): string =>
  x === null || x === undefined || Number.isNaN(x) ? '-' : Number(x.toPrecision(4)).toString();

/** Why a row is quarantined, in words: who outvoted its label, what sets it apart. */
export function explainQuarantined(q: QuarantinedRow): string {
  const parts: string[] = [];
  if (q.neighbours?.length) {
    const agree = q.neighbours.filter((n) => n.label === q.neighbourMajority).length;
    parts.push(
      `neighbours say ${q.neighbourMajority} (${agree} of ${q.neighbours.length}; ${q.neighbours.map((n) => `${n.source} row ${n.row + 1}: ${n.label}`).join(', ')})`,
    );
  }
  if (q.features.length)
    parts.push(
      `unlike its label on ${q.features.map((f) => `${f.feature} ${f.value} (median ${f.classMedian}, z ${f.robustZ})`).join(', ')}`,
    );
  return parts.join('; ');
}

/** Renders an audit report as a Markdown document. */
export function renderAuditMarkdown(r: AuditReport, title = 'Data audit'): string {
  const lines = [
    `# ${title}`,
    '',
    `Baseline ${r.baselineRows} rows, candidate ${r.candidateRows} rows, ${r.features.length} numeric features${r.labelColumn ? `, label \`${r.labelColumn}\`` : ''}.`,
    `MITRE ATLAS ${r.atlasTechniques.join(', ')} · OWASP ${r.owasp.join(', ')}`,
    '',
    '## Findings',
    '',
  ];
  lines.push(...(r.findings.length ? r.findings.map((f) => `- ${f}`) : ['- nothing stands out']));
  lines.push(
    '',
    `## Quarantine (${r.quarantine.length} rows)`,
    '',
    '| row | id | reasons | why |',
    '| --- | --- | --- | --- |',
  );
  for (const q of r.quarantine.slice(0, 500))
    lines.push(`| ${q.row + 1} | ${q.id} | ${q.reasons.join(', ')} | ${explainQuarantined(q)} |`);
  if (r.quarantine.length > 500)
    lines.push(`| … | | ${r.quarantine.length - 500} more in the JSON report |`);
  lines.push(
    '',
    '## Feature drift',
    '',
    '| feature | test | statistic | adj. p | PSI | JS | drifted |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const f of r.featureDrift.features)
    lines.push(
      `| ${f.name} | ${f.test ?? '-'} | ${fmt(f.statistic)} | ${fmt(f.adjustedPValue)} | ${fmt(f.psi)} | ${fmt(f.jensenShannon)} | ${f.drifted ? f.reasons.join('+') : ''} |`,
    );
  if (r.labelDrift)
    lines.push(
      '',
      '## Labels',
      '',
      `chi-square ${fmt(r.labelDrift.statistic)}, p = ${fmt(r.labelDrift.pValue)}; baseline ${JSON.stringify(r.labelDrift.baseline)}, candidate ${JSON.stringify(r.labelDrift.candidate)}`,
    );
  if (r.outlierClusters.length) {
    lines.push(
      '',
      '## Outlier clusters',
      '',
      '| kind | rows | features (values) | labels |',
      '| --- | --- | --- | --- |',
    );
    for (const c of r.outlierClusters)
      lines.push(
        `| ${c.kind} | ${c.rows.length} | ${c.features.map((f, i) => `${f} ${c.spread ? `${c.spread[i]![0]}–${c.spread[i]![1]}` : c.values[i]}`).join(', ')} | ${JSON.stringify(c.labels)} |`,
      );
  }
  if (r.digests.length) {
    lines.push(
      '',
      '## Digests',
      '',
      '| file | recorded | actual | ok |',
      '| --- | --- | --- | --- |',
    );
    for (const d of r.digests)
      lines.push(`| ${d.name} | ${d.expected} | ${d.actual} | ${d.ok ? 'yes' : '**NO**'} |`);
  }
  return lines.join('\n') + '\n';
}

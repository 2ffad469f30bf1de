import { describeDue } from '../../core/index.js';
import type { BuiltTabletop } from './build-pack.js';
import { ROLE_TITLES, TABLETOP_ROLES } from './packs.js';

export const TABLETOP_FORMATS = ['md', 'html'] as const;
export type TabletopFormat = (typeof TABLETOP_FORMATS)[number];

/** The score a facilitator gives each decision. */
export const SCORE_SCALE = '0 not taken · 1 taken late or incomplete · 2 taken on time';

interface Section {
  readonly heading: string;
  readonly paragraphs?: readonly string[];
  readonly table?: { readonly head: readonly string[]; readonly rows: readonly string[][] };
  readonly list?: readonly string[];
}

/** The pack as sections, shared by both formats so they never say different things. */
function sections(t: BuiltTabletop): Section[] {
  const { pack } = t;
  const clockText = (d: BuiltTabletop['decisions'][number]) =>
    d.clockInfo
      ? `${d.clockInfo.article}: ${d.clockInfo.to} ${d.clockInfo.due.startsWith('without') ? '' : 'within '}${d.clockInfo.due}`
      : '—';
  return [
    {
      heading: 'Premise',
      paragraphs: [
        pack.premise,
        `MITRE ATLAS: ${pack.atlas.join(', ')}. Regulations in play: ${pack.regulations.join(', ')}.`,
        `Clocks start when the organisation becomes aware of the incident (T0). Timeline: ${t.source}.`,
      ],
    },
    {
      heading: 'Timeline of injects',
      table: {
        head: ['T+ min', 'inject', 'to'],
        rows: t.injects.map((i) => [
          String(i.atMinutes),
          i.text,
          i.to.map((r) => ROLE_TITLES[r]).join(', '),
        ]),
      },
    },
    ...TABLETOP_ROLES.map((role): Section => ({
      heading: `Role card: ${ROLE_TITLES[role]}`,
      paragraphs: [pack.briefs[role]],
      list: t.decisions
        .filter((d) => d.role === role)
        .map((d) => `${d.decision}${d.clockInfo ? ` (deadline: ${clockText(d)})` : ''}`),
    })),
    {
      heading: 'Notification clocks',
      table: {
        head: ['clock', 'to', 'within', 'when'],
        rows: t.clocks.map((c) => [
          c.article,
          c.recipient,
          describeDue(c),
          c.condition ?? 'always',
        ]),
      },
    },
    { heading: 'Discussion questions', list: pack.questions },
    {
      heading: 'Scoring sheet',
      paragraphs: [
        `Score each decision: ${SCORE_SCALE}. Record the result with \`aisoc drill tabletop record ${pack.scenario} --results FILE\`.`,
      ],
      table: {
        head: ['role', 'decision', 'deadline', 'taken at (T+)', 'score', 'note'],
        rows: t.decisions.map((d) => [ROLE_TITLES[d.role], d.decision, clockText(d), '', '', '']),
      },
    },
  ];
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderTabletopMarkdown(t: BuiltTabletop): string {
  const out = [`# Tabletop exercise: ${t.pack.title}`, ''];
  for (const s of sections(t)) {
    out.push(`## ${s.heading}`, '');
    for (const p of s.paragraphs ?? []) out.push(p, '');
    if (s.list?.length) out.push(...s.list.map((l) => `- ${l}`), '');
    if (s.table) {
      out.push(`| ${s.table.head.join(' | ')} |`, `|${s.table.head.map(() => ' --- |').join('')}`);
      for (const r of s.table.rows) out.push(`| ${r.map(mdCell).join(' | ')} |`);
      out.push('');
    }
  }
  return out.join('\n');
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** One self-contained page (inline style, no scripts, nothing fetched), printable. */
export function renderTabletopHtml(t: BuiltTabletop): string {
  const body = sections(t)
    .map((s) => {
      const parts = [`<h2>${esc(s.heading)}</h2>`];
      for (const p of s.paragraphs ?? []) parts.push(`<p>${esc(p)}</p>`);
      if (s.list?.length)
        parts.push(`<ul>${s.list.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`);
      if (s.table)
        parts.push(
          `<table><thead><tr>${s.table.head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${s.table.rows
            .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
            .join('')}</tbody></table>`,
        );
      return `<section>${parts.join('\n')}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`Tabletop: ${t.pack.title}`)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}section{break-inside:avoid}@media print{section{page-break-inside:avoid}}</style></head>
<body><h1>${esc(`Tabletop exercise: ${t.pack.title}`)}</h1>
${body}
</body></html>
`;
}

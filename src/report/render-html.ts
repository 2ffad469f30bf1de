import { renderMarkdown } from './render-markdown.js';
import type { Review } from './review.js';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Inline Markdown: `code` and nothing else (the review writes no other markup). */
const inline = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

/** The subset of Markdown renderMarkdown writes: headings, lists, tables, code blocks. */
function markdownToHtml(md: string): string {
  const out: string[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('```')) {
      const body: string[] = [];
      while (i + 1 < lines.length && !lines[++i]!.startsWith('```')) body.push(lines[i]!);
      out.push(`<pre>${esc(body.join('\n'))}</pre>`);
    } else if (/^#{1,3} /.test(line)) {
      const level = line.indexOf(' ');
      out.push(`<h${level}>${inline(line.slice(level + 1))}</h${level}>`);
    } else if (line.startsWith('| ')) {
      const rows: string[][] = [];
      for (; i < lines.length && lines[i]!.startsWith('| '); i++)
        rows.push(
          lines[i]!.slice(2, -2)
            .split(/ (?<!\\)\| /)
            .map((c) => c.replace(/\\\|/g, '|')),
        );
      i--;
      const [head, , ...body] = rows;
      out.push(
        `<table><thead><tr>${head!.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>${body
          .map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
    } else if (line.startsWith('- ')) {
      const items: string[] = [];
      for (; i < lines.length && lines[i]!.startsWith('- '); i++)
        items.push(`<li>${inline(lines[i]!.slice(2))}</li>`);
      i--;
      out.push(`<ul>${items.join('')}</ul>`);
    } else if (line.trim()) out.push(`<p>${inline(line.replace(/^_(.*)_$/, '$1'))}</p>`);
  }
  return out.join('\n');
}

/** The timeline as an inline SVG: one tick per entry on a time axis, alerts in red. */
function timelineSvg(r: Review): string {
  const points = [
    ...r.alerts.map((a) => ({ t: Date.parse(a.time), label: `alert: ${a.title}`, alert: true })),
    ...r.timeline.map((e) => ({
      t: Date.parse(e.at),
      label: `${e.type} (${e.actor})`,
      alert: false,
    })),
  ].filter((p) => Number.isFinite(p.t));
  if (points.length === 0) return '';
  const min = Math.min(...points.map((p) => p.t));
  const span = Math.max(1, Math.max(...points.map((p) => p.t)) - min);
  const x = (t: number) => 20 + ((t - min) / span) * 860;
  const marks = points
    .map(
      (p) =>
        `<circle cx="${x(p.t).toFixed(1)}" cy="40" r="5" fill="${p.alert ? '#c0392b' : '#2c6fbb'}"><title>${esc(`${new Date(p.t).toISOString()} ${p.label}`)}</title></circle>`,
    )
    .join('');
  return `<svg role="img" aria-label="timeline" width="900" height="80" viewBox="0 0 900 80"><line x1="20" y1="40" x2="880" y2="40" stroke="#888"/>${marks}<text x="20" y="70" font-size="11">${esc(new Date(min).toISOString())}</text><text x="880" y="70" font-size="11" text-anchor="end">${esc(new Date(min + span).toISOString())}</text></svg>`;
}

/** Flipped decisions per principal as inline SVG bars. */
function flipsSvg(r: Review): string {
  const rows = r.impact
    .flatMap((i) => Object.entries(i.byPrincipal))
    .sort((a, b) => b[1].flips - a[1].flips)
    .slice(0, 20);
  if (rows.length === 0) return '';
  const max = Math.max(1, ...rows.map(([, t]) => t.decisions));
  const bars = rows
    .map(([p, t], k) => {
      const y = 10 + k * 22;
      return `<text x="0" y="${y + 13}" font-size="12">${esc(p)}</text><rect x="160" y="${y}" width="${((t.decisions / max) * 600).toFixed(1)}" height="16" fill="#cfd8e3"/><rect x="160" y="${y}" width="${((t.flips / max) * 600).toFixed(1)}" height="16" fill="#c0392b"/><text x="${(170 + (t.decisions / max) * 600).toFixed(1)}" y="${y + 13}" font-size="12">${t.flips}/${t.decisions}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="flipped decisions per principal" width="900" height="${20 + rows.length * 22}">${bars}</svg>`;
}

/** The review as one self-contained HTML page: styles and charts inline, nothing fetched. */
export function renderHtml(r: Review): string {
  const style =
    'body{font:14px/1.45 system-ui,sans-serif;max-width:960px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}pre{background:#f5f5f5;padding:8px;white-space:pre-wrap}code{font-size:12px}';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>${esc(`Post-incident review: ${r.incident.title}`)}</title><style>${style}</style></head>
<body>
<figure>${timelineSvg(r)}<figcaption>Timeline</figcaption></figure>
<figure>${flipsSvg(r)}<figcaption>Decisions (grey) and flipped decisions (red) per principal</figcaption></figure>
${markdownToHtml(renderMarkdown(r))}
</body></html>
`;
}

import { Hono, type Context } from 'hono';
import {
  notificationDrafts,
  renderHtml,
  renderMarkdown,
  toOcsfFindings,
  toStixBundle,
  incidentToCef,
  incidentToTheHiveCase,
  ReportErrorCodes,
  reportError,
  type Review,
} from '../report/index.js';

/** What the report routes need: the review of an incident (throws when there is none). */
export interface ReportServices {
  review(incidentId: string): Promise<Review>;
  /** aisoc's version, the device version of CEF headers. */
  version?: string;
  /** Sends the incident to a configured sink (TheHive case, CEF over syslog) and records it. */
  send?(
    incidentId: string,
    sink: string,
    actor: string,
  ): Promise<{ sink: string; kind: string; ref: string | null }>;
}

const FORMATS = ['md', 'html', 'json'] as const;
const EXPORT_FORMATS = ['stix', 'ocsf', 'thehive', 'cef'] as const;

/**
 * `GET /api/v1/incidents/:id/report?format=md|html|json`: the post-incident review with its
 * notification drafts; `GET /api/v1/incidents/:id/clocks`: the notification deadline clocks.
 */
export function createReportRoutes(
  services: ReportServices,
  actor: (c: Context) => string = () => 'admin',
) {
  const app = new Hono();
  app.get('/api/v1/incidents/:id/report', async (c) => {
    const format = c.req.query('format') ?? 'md';
    if (format === 'pdf')
      throw reportError(
        ReportErrorCodes.REPORT_PDF_UNAVAILABLE,
        'PDF is rendered by the CLI from the HTML report; ask for format=html',
      );
    if (!(FORMATS as readonly string[]).includes(format))
      throw reportError(
        ReportErrorCodes.REPORT_FORMAT_INVALID,
        `format: expected one of ${FORMATS.join(', ')}`,
      );
    const review = await services.review(c.req.param('id').slice(0, 128));
    if (format === 'json') return c.json({ review, drafts: notificationDrafts(review) });
    if (format === 'html') return c.html(renderHtml(review));
    return c.body(renderMarkdown(review), 200, { 'content-type': 'text/markdown; charset=utf-8' });
  });
  // `export incident`: STIX 2.1 bundle (JSON) or OCSF Detection Findings (JSONL).
  app.get('/api/v1/incidents/:id/export', async (c) => {
    const format = c.req.query('format') ?? '';
    if (!(EXPORT_FORMATS as readonly string[]).includes(format))
      throw reportError(
        ReportErrorCodes.REPORT_FORMAT_INVALID,
        `format: expected one of ${EXPORT_FORMATS.join(', ')}`,
      );
    const review = await services.review(c.req.param('id').slice(0, 128));
    if (format === 'stix') return c.json(toStixBundle(review));
    if (format === 'thehive') return c.json(incidentToTheHiveCase(review));
    if (format === 'cef')
      return c.body(
        incidentToCef(review, services.version ?? 'unknown')
          .map((l) => `${l}\n`)
          .join(''),
        200,
        {
          'content-type': 'text/plain; charset=utf-8',
        },
      );
    const lines = toOcsfFindings(review).map((f) => `${JSON.stringify(f)}\n`);
    return c.body(lines.join(''), 200, { 'content-type': 'application/x-ndjson' });
  });
  // `export incident --sink NAME`: the incident leaves for a SOC tool; the hand-over is audited.
  app.post('/api/v1/incidents/:id/send', async (c) => {
    const sink = c.req.query('sink');
    if (!sink || !services.send)
      throw reportError(ReportErrorCodes.REPORT_SINK_UNKNOWN, 'sink: name a sink of respond.sinks');
    return c.json(
      await services.send(c.req.param('id').slice(0, 128), sink.slice(0, 64), actor(c)),
    );
  });
  app.get('/api/v1/incidents/:id/clocks', async (c) => {
    const review = await services.review(c.req.param('id').slice(0, 128));
    return c.json({ awareAt: review.awareAt, clocks: review.clocks });
  });
  return app;
}

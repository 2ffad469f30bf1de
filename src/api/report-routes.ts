import { Hono } from 'hono';
import {
  notificationDrafts,
  renderHtml,
  renderMarkdown,
  ReportErrorCodes,
  reportError,
  type Review,
} from '../report/index.js';

/** What the report routes need: the review of an incident (throws when there is none). */
export interface ReportServices {
  review(incidentId: string): Promise<Review>;
}

const FORMATS = ['md', 'html', 'json'] as const;

/**
 * `GET /api/v1/incidents/:id/report?format=md|html|json`: the post-incident review with its
 * notification drafts; `GET /api/v1/incidents/:id/clocks`: the notification deadline clocks.
 */
export function createReportRoutes(services: ReportServices) {
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
  app.get('/api/v1/incidents/:id/clocks', async (c) => {
    const review = await services.review(c.req.param('id').slice(0, 128));
    return c.json({ awareAt: review.awareAt, clocks: review.clocks });
  });
  return app;
}

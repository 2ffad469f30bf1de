import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRespondRig, testAlert } from '../../test/support/respond.js';
import { parseConfig } from '../config/index.js';
import type { Alert } from '../core/index.js';
import { createPerformanceMonitor } from '../detect/index.js';
import { makeEvent } from '../detect/drift/test-events.js';
import { renderHtml, renderMarkdown } from '../report/index.js';
import { checkDeadlines, DEADLINE_AT_RISK, incidentReview } from './report-wiring.js';

describe('notification clocks on a real responder', () => {
  let rig: Awaited<ReturnType<typeof startRespondRig>>;
  let incidentId: string;
  let awareAt: number;
  const config = parseConfig({
    models: [
      {
        id: 'fraud',
        regulations: ['gdpr', 'eu-ai-act'],
        versions: [{ version: '1', upstream: 'http://127.0.0.1:9/' }],
      },
    ],
  });
  beforeAll(async () => {
    rig = await startRespondRig();
    const { incident } = await rig.responder.handleAlert(testAlert({}, rig.keyId));
    incidentId = incident.id;
    awareAt = Date.parse(incident.phaseTimes.detected!);
  });
  afterAll(async () => rig?.close());

  it('starts the GDPR and AI Act clocks at awareness and drafts the notifications', async () => {
    const review = await incidentReview(config, rig.responder, incidentId, awareAt + 3_600_000);
    const byId = Object.fromEntries(review.clocks.map((c) => [c.id, c]));
    expect(byId['gdpr-art33']).toMatchObject({
      deadline: new Date(awareAt + 72 * 3_600_000).toISOString(),
      status: 'running',
      armed: true,
    });
    expect(byId['ai-act-art73-general']!.deadline).toBe(
      new Date(awareAt + 15 * 86_400_000).toISOString(),
    );
  });

  it('fires once when a clock has less than 25 % left, on the timeline and the bus', async () => {
    const published: { subject: string; data: any }[] = [];
    const publish = async (subject: string, data: unknown) =>
      void published.push({ subject, data });
    expect(await checkDeadlines(config, rig.responder, publish, awareAt + 50 * 3_600_000)).toEqual(
      [],
    );
    const fired = await checkDeadlines(config, rig.responder, publish, awareAt + 60 * 3_600_000);
    expect(fired.map((f) => f.clockId)).toEqual(['gdpr-art33']);
    expect(published).toEqual([
      {
        subject: DEADLINE_AT_RISK,
        data: expect.objectContaining({ incidentId, clockId: 'gdpr-art33', status: 'at_risk' }),
      },
    ]);
    expect(await checkDeadlines(config, rig.responder, publish, awareAt + 61 * 3_600_000)).toEqual(
      [],
    );
    const timeline = await rig.responder.incidents.timeline(incidentId);
    expect(timeline.filter((t) => t.type === 'deadline_at_risk')).toHaveLength(1);
  });
});

describe('fairness figures in the review', () => {
  let rig: Awaited<ReturnType<typeof startRespondRig>>;
  beforeAll(async () => {
    rig = await startRespondRig();
  });
  afterAll(async () => rig?.close());

  /** n labelled predictions of one group: `tpr` of the positives and `fpr` of the negatives selected. */
  const group = (name: string, n: number, tpr: number, fpr: number) =>
    Array.from({ length: n }, (_, i) => {
      const label = i % 2;
      const predicted = Math.floor(i / 2) < Math.round(((label ? tpr : fpr) * n) / 2) ? 1 : 0;
      return { predicted, label, group: name };
    });

  it('shows the per-group figures of the latest performance window the incident holds', async () => {
    const alerts: Alert[] = [];
    const monitor = createPerformanceMonitor({ windowSize: 200, onAlert: (a) => alerts.push(a) });
    // Two windows: a fair one, then one where "south" loses recall.
    for (const [w, south] of [0.9, 0.5].entries()) {
      const rows = [...group('north', 100, 0.9, 0.1), ...group('south', 100, south, 0.1)];
      rows.forEach((r, i) =>
        monitor.observe(
          makeEvent(
            w * 1000 + i,
            Date.UTC(2026, 0, 1) + (w * 1000 + i) * 1000,
            [[i]],
            [[1 - r.predicted, r.predicted]],
          ),
        ),
      );
      monitor.feedback(
        rows.map((r, i) => ({ requestId: `req_${w * 1000 + i}`, label: r.label, group: r.group })),
      );
    }
    const fairness = alerts.filter((a) => a.kind === 'fairness');
    expect(fairness).toHaveLength(1); // the first window is fair
    const { incident } = await rig.responder.handleAlert(fairness[0]!);
    const review = await incidentReview(parseConfig({}), rig.responder, incident.id);
    expect(review.fairness).toHaveLength(1);
    expect(review.fairness![0]).toMatchObject({
      model: 'bc',
      alertId: fairness[0]!.id,
      window: { index: 1, size: 200 },
      alerted: ['accuracyGap', 'equalisedOddsDifference'], // both at or over the 0.2 default
    });
    const md = renderMarkdown(review);
    expect(md).toContain('## Fairness: bc');
    expect(md).toMatch(/\| south \| 100 \| 0\.700 \| 0\.300 \| 0\.500 \| 0\.100 \|/);
    expect(md).toContain('Equalised-odds difference: 0.400');
    expect(md).toContain('Demographic parity difference: 0.200');
    expect(md).toContain('Alerted on: accuracyGap, equalisedOddsDifference');
    expect(renderHtml(review)).toContain('<h2>Fairness: bc</h2>');
  });

  it('has no fairness section when no alert carries group figures', async () => {
    const { incident } = await rig.responder.handleAlert(testAlert({ model: 'other' }, rig.keyId));
    const review = await incidentReview(parseConfig({}), rig.responder, incident.id);
    expect(review.fairness).toEqual([]);
    expect(renderMarkdown(review)).not.toContain('## Fairness');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRespondRig, testAlert } from '../../test/support/respond.js';
import { parseConfig } from '../config/index.js';
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

import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoModels } from '../../src/app/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { describeWithService, serviceUrls } from '../support/services.js';

type T = Awaited<ReturnType<typeof startTestAisoc>>;

// Issue 19 on the NATS bus: the JetStream stream keeps what aisoc publishes, so it must hold
// only the record (sealed fields, pseudonymous subject), never the clear values the in-memory
// detectors see. Reads every stored message of the stream after an erasure.
await describeWithService('nats', 'privacy of the record on the NATS JetStream stream', () => {
  let t: T;
  const prefix = `privacy_${randomBytes(4).toString('hex')}`;
  const PATIENT = 'patient-nats-erase-me';
  let rows: number[][];
  beforeAll(async () => {
    const models = demoModels().map((m) =>
      m.id === 'breast-cancer'
        ? {
            ...m,
            subject: '/parameters/patient_id',
            privacy: { defaultFeature: { policy: 'encrypt', personal: true } },
          }
        : m,
    );
    t = await startTestAisoc({
      models,
      bus: { driver: 'nats', servers: [serviceUrls.nats], subjectPrefix: prefix },
    });
    const secret = (await t.admin('/api/v1/keys', { body: { principal: 'clinic-1' } })).json
      .secret as string;
    rows = await demoRows('breast-cancer', 'reference', 3);
    for (const row of rows) {
      const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/breast-cancer/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...JSON.parse(kserveBody([row])),
          parameters: { patient_id: PATIENT },
        }),
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    await t.aisoc.ledger.flush();
    const erased = await t.admin('/api/v1/privacy/erase', {
      body: { subject: PATIENT, reason: 'Art. 17 request (NATS test)' },
    });
    expect(erased.status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await t?.aisoc.close();
    const nc = await connect({ servers: serviceUrls.nats });
    await (await jetstreamManager(nc)).streams.delete(prefix.toUpperCase()).catch(() => false);
    await nc.close();
  });

  it('stores only sealed records on the stream: no subject id, no clear feature row', async () => {
    const nc = await connect({ servers: serviceUrls.nats });
    try {
      const jsm = await jetstreamManager(nc);
      const stream = prefix.toUpperCase();
      const info = await jsm.streams.info(stream);
      const texts: string[] = [];
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
        if (m) texts.push(`${m.subject} ${new TextDecoder().decode(m.data)}`);
      }
      const inference = texts.filter(
        (x) => x.includes('"breast-cancer"') && x.includes('"sealed"'),
      );
      expect(inference.length).toBeGreaterThanOrEqual(3); // the three records did travel
      const all = texts.join('\n');
      expect(all).not.toContain(PATIENT);
      for (const row of rows) {
        expect(all).not.toContain(JSON.stringify(row));
        expect(all).not.toContain(JSON.stringify(row.slice(1)));
      }
    } finally {
      await nc.close();
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModels } from '../../src/app/index.js';
import { Subjects } from '../../src/bus/index.js';
import { fileKeyWrapper } from '../../src/privacy/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { eventually, testAlert } from '../support/respond.js';
import { checkAuditLedger } from '../support/audit-entries.js';

type T = Awaited<ReturnType<typeof startTestAisoc>>;

// Issue 19, the healthcare flow: a restricted breast-cancer model records patients with every
// measurement sealed under the patient's key, the ZIP coarsened and the patient id as a
// pseudonym; an incident and its evidence bundle hold only sealed data; erasing one patient
// destroys its key (no byte of it left in the SQLite file or WAL), every entry still verifies,
// and the subject export shows what is held, opened only for a privacy officer.
describe('privacy of the record: healthcare flow end to end', () => {
  let t: T;
  let secret: string;
  let rows: number[][];
  let incidentId: string;
  const PATIENT = 'patient-7f3a-erase-me';
  const OTHER = 'patient-2b9c-keep-me';

  const infer = (row: number[], patient: string, zip: string) =>
    fetch(`${t.aisoc.gatewayUrl}/v2/models/breast-cancer/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        ...JSON.parse(kserveBody([row])),
        parameters: { patient_id: patient, zip },
      }),
    });
  const dbBytes = () =>
    Buffer.concat(
      ['aisoc.db', 'aisoc.db-wal'].map((f) => {
        try {
          return readFileSync(join(t.dir, f));
        } catch {
          return Buffer.alloc(0);
        }
      }),
    );

  beforeAll(async () => {
    const models = demoModels().map((m) =>
      m.id === 'breast-cancer'
        ? {
            ...m,
            dataSensitivity: 'restricted',
            subject: '/parameters/patient_id',
            privacy: {
              defaultFeature: { policy: 'encrypt', personal: true },
              features: [{ feature: 0, policy: 'generalise', step: 5, personal: true }],
              request: [
                { pointer: '/parameters/zip', policy: 'generalise', zipDigits: 3, personal: true },
              ],
            },
          }
        : m,
    );
    t = await startTestAisoc({ models });
    secret = (await t.admin('/api/v1/keys', { body: { principal: 'clinic-1' } })).json.secret;
    rows = await demoRows('breast-cancer', 'reference', 6);
    for (let i = 0; i < 6; i++) {
      const res = await infer(rows[i]!, i < 3 ? PATIENT : OTHER, '02139');
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    await t.aisoc.ledger.flush();
    const alert = testAlert({
      kind: 'poisoning',
      detector: 'performance',
      model: 'breast-cancer',
      principal: null,
      sourceAddress: null,
      time: new Date().toISOString(),
      title: 'breast-cancer answers drifted',
    });
    await t.aisoc.bus.publish(Subjects.alertRaised, alert);
    incidentId = await eventually(async () => {
      const { json } = await t.admin('/api/v1/incidents');
      return (json.incidents as { id: string; alertIds: string[] }[]).find((x) =>
        x.alertIds.includes(alert.id),
      )?.id;
    }, 10_000);
  }, 120_000);
  afterAll(async () => t?.aisoc.close());

  it('records sealed features, a coarse ZIP and a pseudonym, never the clear values', async () => {
    const { json } = await t.admin('/api/v1/events?model=breast-cancer');
    const events = json.events as any[];
    expect(events).toHaveLength(6);
    for (const e of events) {
      expect(e.subject).toMatch(/^ps_[0-9a-f]{32}$/);
      expect(e.features).toBeNull();
      expect(e.privacy.features[0][0]).toBe(Math.floor(e.privacy.features[0][0] / 5) * 5);
      expect(e.privacy.features[0].slice(1).every((c: unknown) => c === 'sealed')).toBe(true);
      expect(e.privacy.request).toEqual({ '/parameters/zip': '021**' });
      expect(e.privacy.sealed.ct.length).toBeGreaterThan(100);
    }
    const bytes = dbBytes();
    expect(bytes.includes(PATIENT)).toBe(false);
    expect(bytes.includes('02139')).toBe(false);
    // The 29 sealed measurements of a request, as the clear event carried them.
    expect(bytes.includes(JSON.stringify(rows[0]!.slice(1)))).toBe(false);
  });

  it('opens sealed fields only for a privacy officer, and records each read', async () => {
    const body = { subject: PATIENT, reason: 'GDPR Art. 15 request #41', reveal: true };
    const refused = await t.admin('/api/v1/privacy/export', { body });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe('PRIVACY_FORBIDDEN');
    const officer = await t.admin('/api/v1/users', {
      body: { name: 'dpo', role: 'privacy-officer' },
    });
    expect(officer.status).toBe(201);
    const opened = await t.admin('/api/v1/privacy/export', { body, token: officer.json.token });
    expect(opened.status).toBe(200);
    expect(opened.json.events).toHaveLength(3);
    expect(opened.json.events.every((e: any) => e.sealed === 'opened')).toBe(true);
    expect(opened.json.events[0].features[0].slice(1)).toEqual(rows[0]!.slice(1));
    expect(opened.json.events[0].modelVersion).toBe('1');
    expect(opened.json.incidents.map((i: any) => i.id)).toContain(incidentId);
    const audit = await t.admin('/api/v1/ledger/audit/entries?limit=1000');
    const reads = (audit.json.entries as any[])
      .map((e) => (typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload))
      .filter((p) => p.type === 'privacy.clear.read');
    expect(reads).toEqual([
      expect.objectContaining({ actor: 'dpo', reason: 'GDPR Art. 15 request #41', events: 3 }),
    ]);
  });

  it('erases one patient: key bytes gone from the file and WAL, entries verify, others still open', async () => {
    const before = await t.admin('/api/v1/ledger/inference/verify', { method: 'POST' });
    expect(before.json.ok).toBe(true);
    // The wrapped key as stored, and the data key it unwraps to (via the KEK file).
    const { createStore } = await import('../../src/store/index.js');
    const peek = await createStore({ driver: 'sqlite', path: join(t.dir, 'aisoc.db') });
    const ref = (await t.admin('/api/v1/events?model=breast-cancer')).json.events[0].subject;
    const row = await (peek.db as any)
      .selectFrom('privacy_keys')
      .select(['wrapped'])
      .where('subject_ref', '=', ref)
      .executeTakeFirstOrThrow();
    await peek.close();
    const kek = Buffer.from(readFileSync(t.config.privacy.kekFile, 'utf8').trim(), 'base64url');
    const wrapped = Buffer.from(row.wrapped, 'base64');
    const dataKey = await fileKeyWrapper(kek).unwrap(wrapped, ref);
    expect(dbBytes().includes(row.wrapped)).toBe(true);

    const erased = await t.admin('/api/v1/privacy/erase', {
      body: { subject: PATIENT, reason: 'GDPR Art. 17 request #42' },
    });
    expect(erased.status).toBe(200);
    expect(erased.json).toMatchObject({ subjectRef: ref, keyDestroyed: true, walTruncated: true });
    await t.aisoc.ledger.flush();

    const bytes = dbBytes();
    for (const needle of [row.wrapped, wrapped, dataKey, dataKey.toString('base64')])
      expect(bytes.includes(needle)).toBe(false);
    expect(bytes.includes(PATIENT)).toBe(false);

    const after = await t.admin('/api/v1/ledger/inference/verify', { method: 'POST' });
    expect(after.json).toMatchObject({ ok: true, entries: before.json.entries });
    expect((await t.admin('/api/v1/ledger/audit/verify', { method: 'POST' })).json.ok).toBe(true);

    const { json } = await t.admin('/api/v1/events?model=breast-cancer');
    const mine = (json.events as any[]).filter((e) => e.subject === ref);
    expect(mine).toHaveLength(3);
    expect(mine.every((e) => e.privacy.features[0][1] === 'erased' && !e.privacy.sealed)).toBe(
      true,
    );

    const audit = await t.admin('/api/v1/ledger/audit/entries?limit=1000');
    const payloads = (audit.json.entries as any[]).map((e) =>
      typeof e.payload === 'string' ? e.payload : JSON.stringify(e.payload),
    );
    expect(payloads.some((p) => p.includes('privacy.subject.erased') && p.includes(ref))).toBe(
      true,
    );
    expect(payloads.some((p) => p.includes(PATIENT))).toBe(false);

    const officer = await t.admin('/api/v1/users', {
      body: { name: 'dpo2', role: 'privacy-officer' },
    });
    const gone = await t.admin('/api/v1/privacy/export', {
      body: { subject: PATIENT, reason: 'check erasure', reveal: true },
      token: officer.json.token,
    });
    expect(gone.json.erased).toBe(true);
    expect(gone.json.events.every((e: any) => e.sealed === 'erased')).toBe(true);
    const kept = await t.admin('/api/v1/privacy/export', {
      body: { subject: OTHER, reason: 'check the other patient', reveal: true },
      token: officer.json.token,
    });
    expect(kept.json.events.every((e: any) => e.sealed === 'opened')).toBe(true);
  });

  it('keeps the erased patient sealed in an evidence bundle', async () => {
    const bundle = await t.admin(`/api/v1/incidents/${incidentId}/evidence/bundle`, {
      body: { recipient: 'regulator' },
    });
    expect(bundle.status).toBe(201);
    const text = JSON.stringify(bundle.json);
    expect(text.includes(PATIENT)).toBe(false);
    expect(text.includes(JSON.stringify(rows[0]!.slice(1)))).toBe(false);
  });

  it('re-wraps every key under a new KEK and still opens the kept patient', async () => {
    const rotated = await t.admin('/api/v1/privacy/rotate-kek', {
      body: { reason: 'yearly rotation' },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.json.rewrapped).toBe(1);
    expect(rotated.json.to).not.toBe(rotated.json.from);
    const officer = await t.admin('/api/v1/users', {
      body: { name: 'dpo3', role: 'privacy-officer' },
    });
    const kept = await t.admin('/api/v1/privacy/export', {
      body: { subject: OTHER, reason: 'after rotation', reveal: true },
      token: officer.json.token,
    });
    expect(kept.json.events[0].features[0].slice(1)).toEqual(rows[3]!.slice(1));
  });

  it('writes only audit entries that match AuditEntrySchema', async () => {
    await t.aisoc.ledger.flush();
    const { problems, types } = await checkAuditLedger(t.aisoc.store);
    expect(problems).toEqual([]);
    expect(types.size).toBeGreaterThan(1);
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOcsfValidator } from '../../test/support/ocsf-validator.js';
import { STIX_SCHEMA_FILES, stixValidators } from '../../test/support/stix-validator.js';
import { buildReview, toOcsfFindings, toStixBundle, type ReviewInput } from './index.js';

const input: ReviewInput = {
  incident: {
    id: 'inc_01',
    title: 'breast-cancer v2 calls every case benign',
    category: 'poisoning',
    phase: 'contained',
    severity: { computed: 'high', reasons: ['asset criticality high'], override: null },
    assets: ['breast-cancer'],
    principals: ['clinic-1'],
    sources: ['10.0.0.0/24', 'not-an-ip'],
    kinds: ['poisoning'],
    firstSeen: '2026-03-06T14:00:00.000Z',
    lastSeen: '2026-03-06T14:30:00.000Z',
    phaseTimes: { detected: '2026-03-06T15:00:00.000Z', contained: '2026-03-06T15:05:00.000Z' },
    assignee: 'ana',
  },
  metrics: { ttdMs: 3_600_000, ttcMs: 300_000, ttrMs: null },
  techniques: [{ id: 'AML.T0020', name: 'Poison Training Data' }],
  owasp: [{ id: 'ML02:2023', title: 'Data Poisoning Attack' }],
  alerts: [
    {
      id: 'alr_1',
      time: '2026-03-06T14:59:00.000Z',
      detector: 'performance',
      kind: 'poisoning',
      title: 'precision dropped',
      confidence: 0.9,
      severity: 'high',
      sourceAddress: '10.0.0.7',
      evidence: { keyId: 'key_secret_id' },
    } as ReviewInput['alerts'][number],
  ],
  timeline: [],
  tasks: [],
  evidence: [],
  actions: [],
  impact: [],
  assets: [{ id: 'breast-cancer', regulations: ['gdpr'], criticality: 'high', tags: [] }],
  contact: 'soc@example.org',
};

describe('STIX 2.1 export', () => {
  const review = buildReview(input, Date.parse('2026-03-06T16:00:00.000Z'));
  const bundle = toStixBundle(review);
  const validator = stixValidators();

  it('validates against the OASIS STIX 2.1 JSON schemas, bundle and every object', () => {
    // The OASIS bundle.json lists no `incident` in its oneOf of SDOs (its generic branch then
    // matches two schemas), so the incident is checked against sdos/incident.json below and
    // the bundle against bundle.json with every other object.
    const bundleSchema = validator('common/bundle.json');
    const rest = { ...bundle, objects: bundle.objects.filter((o) => o.type !== 'incident') };
    expect(bundleSchema(rest), JSON.stringify(bundleSchema.errors)).toBe(true);
    const files = STIX_SCHEMA_FILES;
    for (const object of bundle.objects) {
      const validate = validator(files[object.type]!);
      expect(validate(object), `${object.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('names the ATLAS technique, hashes the key and keeps only IP sources as indicators', () => {
    const text = JSON.stringify(bundle);
    expect(text).not.toContain('key_secret_id');
    const pattern = bundle.objects.find((o) => o.type === 'attack-pattern')!;
    expect(pattern.external_references).toEqual([
      {
        source_name: 'mitre-atlas',
        external_id: 'AML.T0020',
        url: 'https://atlas.mitre.org/techniques/AML.T0020',
      },
    ]);
    const patterns = bundle.objects.filter((o) => o.type === 'indicator').map((o) => o.pattern);
    expect(patterns).toEqual([
      "[ipv4-addr:value = '10.0.0.0/24']",
      expect.stringMatching(/^\[user-account:user_id = 'sha256:[0-9a-f]{64}'\]$/),
    ]);
    expect(toStixBundle(review)).toEqual(bundle); // deterministic ids: a re-export is the same
  });

  it('fails the schema when an object is broken, so the test above can fail', () => {
    const pattern = bundle.objects.find((o) => o.type === 'attack-pattern')!;
    const broken = { ...bundle, objects: [{ ...pattern, id: 'attack-pattern--nope' }] };
    expect(validator('common/bundle.json')(broken)).toBe(false);
    const incident = bundle.objects.find((o) => o.type === 'incident')!;
    expect(validator('sdos/incident.json')({ ...incident, created: 'yesterday' })).toBe(false);
  });
});

const validateOcsf = createOcsfValidator(
  join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'ocsf-1.3.0'),
);

describe('OCSF export', () => {
  it('writes one Detection Finding per alert that the OCSF 1.3.0 schema accepts, attribute by attribute', () => {
    const findings = toOcsfFindings(buildReview(input, Date.now()));
    expect(findings).toHaveLength(1);
    for (const f of findings) expect(validateOcsf('detection_finding', f)).toEqual([]);
    expect(findings[0]).toMatchObject({
      severity_id: 4,
      time: Date.parse('2026-03-06T14:59:00.000Z'),
      finding_info: { attacks: [{ technique: { uid: 'AML.T0020' } }] },
      evidences: [{ src_endpoint: { ip: '10.0.0.7' } }],
    });
  });

  it('the schema check catches what a SIEM would reject', () => {
    const [f] = toOcsfFindings(buildReview(input, Date.now())) as Record<string, any>[];
    expect(validateOcsf('detection_finding', { ...f, class_uid: 2001 })).toContain(
      'class_uid: expected 2004',
    );
    expect(validateOcsf('detection_finding', { ...f, severity_id: 7 })).toEqual([
      expect.stringMatching(/^detection_finding\.severity_id: 7 is not one of/),
    ]);
    expect(validateOcsf('detection_finding', { ...f, finding_info: { title: 't' } })).toContain(
      'detection_finding.finding_info.uid: required',
    );
    expect(validateOcsf('detection_finding', { ...f, model_name: 'x' })).toContain(
      'detection_finding.model_name: not an attribute of this class or object',
    );
    expect(
      validateOcsf('detection_finding', { ...f, evidences: [{ src_endpoint: { ip: '1.2.3' } }] }),
    ).toContain('detection_finding.evidences[0].src_endpoint.ip: not a valid ip_t');
    // top-level actor belongs to the host profile: unknown unless the event declares it
    expect(validateOcsf('detection_finding', { ...f, actor: { user: { name: 'a' } } })).toContain(
      'detection_finding.actor: not an attribute of this class or object',
    );
    expect(validateOcsf('detection_finding', { ...f, time: '2026-03-06' })).toContain(
      'detection_finding.time: expected an integer',
    );
  });
});

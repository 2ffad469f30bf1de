import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../core/index.js';
import {
  selfSignedCert,
  startSyslogCollector,
  startTheHiveStandIn,
} from '../../test/support/soc-collectors.js';
import {
  alertToCef,
  alertToTheHive,
  buildReview,
  createAlertSinks,
  formatSyslog,
  incidentToCef,
  incidentToTheHiveCase,
  sendSyslog,
  type ReviewInput,
} from './index.js';

/** Parses a CEF line the way a SIEM does: seven unescaped pipes, then key=value pairs. */
function parseCef(line: string): { header: string[]; ext: Record<string, string> } {
  const header: string[] = [];
  let field = '';
  let i = 0;
  for (; i < line.length && header.length < 7; i++) {
    const ch = line[i]!;
    if (ch === '\\' && (line[i + 1] === '|' || line[i + 1] === '\\')) field += line[++i];
    else if (ch === '|') {
      header.push(field);
      field = '';
    } else field += ch;
  }
  const rest = line.slice(i);
  const ext: Record<string, string> = {};
  // A key starts after a space that is followed by `key=` with an unescaped equals sign.
  const starts = [...rest.matchAll(/(?:^| )([A-Za-z0-9]+)=/g)].map((m) => ({
    key: m[1]!,
    at: m.index! + (m[0].startsWith(' ') ? 1 : 0),
    valueAt: m.index! + m[0].length,
  }));
  starts.forEach((s, n) => {
    const end = n + 1 < starts.length ? starts[n + 1]!.at - 1 : rest.length;
    ext[s.key] = rest
      .slice(s.valueAt, end)
      .replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
  });
  return { header, ext };
}

const hostile =
  'evil | CEF:0|forged|x|1|y|z|10| = injected\nsecond line act=allow \\ end <13>1 fake';

const alert: Alert = {
  id: 'alr_7',
  time: '2026-03-06T14:59:00.000Z',
  detector: 'extraction.profile',
  kind: 'extraction',
  model: 'breast-cancer',
  principal: 'partner-a',
  sourceAddress: '10.0.0.7',
  severity: 'high',
  confidence: 0.93,
  title: hostile,
  atlasTechniques: ['AML.T0024.002'],
  owasp: ['ML05:2023'],
  evidence: {},
  eventIds: [],
};

const input: ReviewInput = {
  incident: {
    id: 'inc_01',
    title: 'extraction by partner-a',
    category: 'model-theft',
    phase: 'contained',
    severity: { computed: 'high', reasons: ['asset criticality high'], override: null },
    assets: ['breast-cancer'],
    principals: ['partner-a'],
    sources: ['10.0.0.0/24'],
    kinds: ['extraction'],
    firstSeen: '2026-03-06T14:00:00.000Z',
    lastSeen: '2026-03-06T14:30:00.000Z',
    phaseTimes: { detected: '2026-03-06T15:00:00.000Z' },
    assignee: null,
  },
  metrics: { ttdMs: 1000, ttcMs: 200, ttrMs: null },
  techniques: [{ id: 'AML.T0024.002', name: 'Extract ML Model' }],
  owasp: [{ id: 'ML05:2023', title: 'Model Theft' }],
  alerts: [{ ...alert }],
  timeline: [],
  tasks: [
    {
      title: 'confirm the partner contract',
      kind: 'manual',
      status: 'open',
      role: null,
      doneBy: null,
    },
    { title: 'snapshot', kind: 'step', status: 'done', role: null, doneBy: 'aisoc' },
  ],
  evidence: [],
  actions: [],
  impact: [],
  assets: [{ id: 'breast-cancer', regulations: [], criticality: 'high', tags: [] }],
  contact: 'soc@example.org',
};
const review = buildReview(input, Date.parse('2026-03-06T16:00:00.000Z'));

describe('CEF', () => {
  it('keeps a hostile title inside its fields: a SIEM parses back exactly what was sent', () => {
    const line = alertToCef(alert, '1.2.3');
    expect(line).not.toMatch(/[\r\n]/);
    const { header, ext } = parseCef(line);
    expect(header.slice(0, 7)).toEqual([
      'CEF:0',
      'aisoc',
      'aisoc',
      '1.2.3',
      'aisoc:extraction',
      hostile.replace(/\n/g, ' '),
      '8',
    ]);
    expect(ext.msg).toBe(hostile);
    expect(ext).toMatchObject({
      rt: String(Date.parse(alert.time)),
      externalId: 'alr_7',
      src: '10.0.0.7',
      suser: 'partner-a',
      cs1Label: 'model',
      cs1: 'breast-cancer',
      cs3: 'AML.T0024.002',
      cs4: 'ML05:2023',
    });
    expect(Object.keys(ext)).not.toContain('act'); // the injected key stayed inside msg
  });

  it('writes an incident as its alerts then one incident line', () => {
    const lines = incidentToCef(review, '1.2.3');
    expect(lines).toHaveLength(2);
    expect(parseCef(lines[0]!).ext.cs5).toBe('inc_01');
    expect(parseCef(lines[1]!)).toMatchObject({
      header: expect.arrayContaining(['aisoc:incident', 'extraction by partner-a']),
      ext: { externalId: 'inc_01', cnt: '1', outcome: 'contained' },
    });
  });
});

describe('RFC 5424 syslog', () => {
  it('frames a message with PRI, version, timestamp and header fields the RFC allows', () => {
    const m = formatSyslog({
      facility: 'authpriv',
      severity: 'high',
      time: new Date('2026-03-06T14:59:00.000Z'),
      msgId: 'alert',
      msg: 'a\nb',
      host: 'soc host é',
      procId: '42',
    });
    // authpriv (10) × 8 + error (3) = 83; spaces and non-ASCII are not allowed in HOSTNAME.
    expect(m).toBe('<83>1 2026-03-06T14:59:00.000Z sochost aisoc 42 alert - a b');
  });

  let cert: { key: string; cert: string };
  beforeAll(() => {
    cert = selfSignedCert();
  });

  for (const protocol of ['udp', 'tcp', 'tls'] as const)
    it(`delivers to a real ${protocol} collector`, async () => {
      const collector = await startSyslogCollector(protocol, cert);
      try {
        await sendSyslog({ url: collector.url, ca: cert.cert }, [
          '<83>1 - - - - - - one',
          '<83>1 - - - - - - two é',
        ]);
        await expect
          .poll(() => collector.messages, { timeout: 5000 })
          .toEqual(['<83>1 - - - - - - one', '<83>1 - - - - - - two é']);
      } finally {
        await collector.close();
      }
    });

  it('refuses a TLS collector whose certificate is not trusted', async () => {
    const collector = await startSyslogCollector('tls', cert);
    try {
      await expect(sendSyslog({ url: collector.url }, ['x'])).rejects.toMatchObject({
        code: 'REPORT_SINK_FAILED',
        message: expect.stringMatching(/tls:\/\/127\.0\.0\.1:\d+: .*(self.signed|certificate)/i),
      });
      expect(collector.messages).toEqual([]);
    } finally {
      await collector.close();
    }
  });

  it('names a URL it cannot use', async () => {
    await expect(sendSyslog({ url: 'http://collector:514' }, ['x'])).rejects.toMatchObject({
      code: 'REPORT_SINK_INVALID',
      message: expect.stringContaining('scheme must be udp, tcp or tls'),
    });
  });
});

describe('TheHive 5', () => {
  let hive: Awaited<ReturnType<typeof startTheHiveStandIn>>;
  beforeAll(async () => {
    hive = await startTheHiveStandIn('hive-key');
  });
  afterAll(() => hive.close());

  it('an alert and a case pass the documented request checks, principals hashed', () => {
    const a = alertToTheHive(alert);
    expect(a).toMatchObject({
      type: 'extraction',
      source: 'aisoc',
      sourceRef: 'alr_7',
      severity: 3,
    });
    expect(a.observables).toEqual([
      expect.objectContaining({ dataType: 'hash', data: expect.stringMatching(/^[0-9a-f]{64}$/) }),
      expect.objectContaining({ dataType: 'ip', data: '10.0.0.7' }),
    ]);
    expect(JSON.stringify(a.observables)).not.toContain('partner-a');
    const c = incidentToTheHiveCase(review);
    expect(c.tasks).toEqual([
      { title: 'confirm the partner contract', description: 'aisoc manual task' },
    ]);
  });

  it('streams alerts at or above a sink minimum severity, in order, and counts failures', async () => {
    const logs: string[] = [];
    const sinks = createAlertSinks(
      [
        {
          name: 'hive',
          kind: 'thehive',
          url: hive.url,
          apiKey: 'hive-key',
          organisation: 'soc',
          minSeverity: 'medium',
        },
        { name: 'wrongkey', kind: 'thehive', url: hive.url, apiKey: 'nope', minSeverity: 'info' },
        {
          name: 'dead',
          kind: 'syslog',
          url: 'tcp://127.0.0.1:1',
          facility: 'audit',
          minSeverity: 'info',
        },
      ],
      { version: '1.2.3', log: (l) => logs.push(l), retryDelaysMs: [1] },
    );
    sinks.deliver({ ...alert, id: 'alr_low', severity: 'low' });
    sinks.deliver({ ...alert, id: 'alr_a' });
    sinks.deliver({ ...alert, id: 'alr_b', severity: 'critical' });
    await sinks.close();
    expect(hive.received.map((r) => [r.body.sourceRef, r.organisation])).toEqual([
      ['alr_a', 'soc'],
      ['alr_b', 'soc'],
    ]);
    expect(hive.refused).toContain('authentication');
    const stats = Object.fromEntries(sinks.stats().map((s) => [s.name, s]));
    expect(stats.hive).toMatchObject({ sent: 2, failed: 0, queued: 0 });
    expect(stats.wrongkey).toMatchObject({
      sent: 0,
      failed: 3,
      lastError: expect.stringContaining('answered 401'),
    });
    expect(stats.dead).toMatchObject({
      sent: 0,
      failed: 3,
      lastError: expect.stringContaining('tcp://127.0.0.1:1'),
    });
    expect(logs.some((l) => l.includes('sink dead: alert alr_low not delivered'))).toBe(true);
  });

  it('sends an incident to a named sink, and names the configured ones for an unknown name', async () => {
    const sinks = createAlertSinks(
      [{ name: 'hive', kind: 'thehive', url: hive.url, apiKey: 'hive-key', minSeverity: 'medium' }],
      { version: '1.2.3', log: () => {} },
    );
    await expect(sinks.sendIncident('hive', review)).resolves.toEqual({
      sink: 'hive',
      kind: 'thehive',
      ref: expect.stringMatching(/^~\d+$/),
    });
    expect(hive.received.at(-1)).toMatchObject({
      kind: 'case',
      body: { title: '[inc_01] extraction by partner-a' },
    });
    await expect(sinks.sendIncident('splunk', review)).rejects.toMatchObject({
      code: 'REPORT_SINK_UNKNOWN',
      message: expect.stringContaining('configured: hive'),
    });
  });
});

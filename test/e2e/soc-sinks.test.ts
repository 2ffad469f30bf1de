import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModels, packageRoot, startAisoc, type RunningAisoc } from '../../src/app/index.js';
import { parseConfig } from '../../src/config/index.js';
import { demoRows, kserveBody } from '../support/aisoc.js';
import { runCli } from '../support/cli.js';
import { eventually } from '../support/respond.js';
import { startSyslogCollector, startTheHiveStandIn } from '../support/soc-collectors.js';

// Issue 12, item 6: alerts stream to SOC tools as they are raised (CEF over syslog to a real
// UDP collector, TheHive alerts to a stand-in that checks the documented shape), and
// `aisoc export incident --sink` hands an incident over, recorded in the audit ledger.
describe('alerts and incidents to SOC tools, from a running aisoc', { timeout: 120_000 }, () => {
  let dir: string;
  let aisoc: RunningAisoc;
  let syslog: Awaited<ReturnType<typeof startSyslogCollector>>;
  let hive: Awaited<ReturnType<typeof startTheHiveStandIn>>;
  let token: string;
  let incidentId: string;
  const cli = (...args: string[]) => runCli(['--config', join(dir, 'aisoc.yaml'), ...args]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisoc-sinks-'));
    syslog = await startSyslogCollector('udp');
    hive = await startTheHiveStandIn('hive-secret');
    writeFileSync(join(dir, 'hive.key'), 'hive-secret\n', { mode: 0o600 });
    const raw = {
      dataDir: dir,
      store: { driver: 'sqlite', path: join(dir, 'aisoc.db') },
      ledger: { keyFile: join(dir, 'ledger.key') },
      admin: { port: 0, tokenFile: join(dir, 'admin.token') },
      gateway: { port: 0 },
      respond: {
        sinks: {
          siem: { kind: 'syslog', url: syslog.url, facility: 'audit', minSeverity: 'low' },
          hive: {
            kind: 'thehive',
            url: hive.url,
            apiKeyFile: join(dir, 'hive.key'),
            organisation: 'ml-soc',
          },
        },
      },
      models: [
        ...demoModels(),
        {
          id: 'breast-cancer-v0',
          decoy: true,
          protocol: 'kserve-v2',
          featureCount: 30,
          versions: [
            { version: '1', onnx: join(packageRoot(), 'models', 'breast-cancer', 'model.onnx') },
          ],
        },
      ],
    };
    aisoc = await startAisoc(parseConfig(raw, dir));
    const port = Number(new URL(aisoc.adminUrl).port);
    writeFileSync(
      join(dir, 'aisoc.yaml'),
      JSON.stringify({ ...raw, admin: { ...raw.admin, port } }),
    );
    token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
  }, 60_000);
  afterAll(async () => {
    await aisoc?.close();
    await syslog?.close();
    await hive?.close();
  });

  const admin = async (path: string, body?: unknown): Promise<any> =>
    (
      await fetch(aisoc.adminUrl + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
    ).json();

  it('streams a raised alert as CEF over syslog and as a TheHive alert', async () => {
    const { secret } = await admin('/api/v1/keys', { principal: 'prober' });
    const res = await fetch(`${aisoc.gatewayUrl}/v2/models/breast-cancer-v0/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: kserveBody(await demoRows('breast-cancer', 'holdout', 1)),
    });
    expect(res.status).toBe(200);
    const line = await eventually(
      async () => syslog.messages.find((m) => m.includes('aisoc:decoy')),
      10_000,
    );
    // audit (13) × 8 + error (3) for a high alert; RFC 5424 header, then the CEF line.
    expect(line).toMatch(
      /^<107>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ aisoc \d+ alert - CEF:0\|aisoc\|aisoc\|/,
    );
    expect(line).toMatch(/ suser=prober /);
    expect(line).toMatch(/ cs1=breast-cancer-v0 /);
    const hiveAlert = await eventually(
      async () => hive.received.find((r) => r.kind === 'alert' && r.body.type === 'decoy'),
      10_000,
    );
    expect(hiveAlert).toMatchObject({
      organisation: 'ml-soc',
      body: { source: 'aisoc', severity: 3 },
    });
    expect(hive.refused).toEqual([]);
    incidentId = (
      await eventually(async () => {
        const list = (await admin('/api/v1/incidents')).incidents as { id: string }[];
        return list.length ? list : undefined;
      }, 10_000)
    )[0]!.id;
  });

  it('sends the incident to TheHive as a case from the CLI, recorded in the audit ledger', async () => {
    const sent = await cli('export', 'incident', incidentId, '--sink', 'hive');
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(new RegExp(`^sent ${incidentId} to hive \\(thehive\\): ~\\d+`));
    const created = hive.received.find((r) => r.kind === 'case');
    expect(created?.body.title).toMatch(new RegExp(`^\\[${incidentId}\\] `));
    const audit = await admin('/api/v1/ledger/audit/entries?limit=1000');
    const entries = (audit.entries as { payload: Record<string, unknown> }[]).map((e) => e.payload);
    expect(entries).toContainEqual(
      expect.objectContaining({
        type: 'report.incident.sent',
        incidentId,
        sink: 'hive',
        actor: 'admin',
      }),
    );
  });

  it('prints CEF and a TheHive case, and names the mistakes', async () => {
    const cef = await cli('export', 'incident', incidentId, '--format', 'cef');
    expect(cef.code).toBe(0);
    expect(cef.stdout.trim().split('\n').at(-1)).toMatch(
      /^CEF:0\|aisoc\|aisoc\|[^|]+\|aisoc:incident\|/,
    );
    const thehive = await cli('export', 'incident', incidentId, '--format', 'thehive');
    expect(JSON.parse(thehive.stdout)).toMatchObject({
      title: expect.stringContaining(incidentId),
    });

    const badFormat = await cli('export', 'incident', incidentId, '--format', 'splunk');
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/--format must be one of stix, ocsf, thehive, cef/);
    const unknown = await cli('export', 'incident', incidentId, '--sink', 'splunk');
    expect(unknown.code).toBe(6);
    expect(unknown.stderr).toMatch(/no sink "splunk".*configured: siem, hive/);
  });
});

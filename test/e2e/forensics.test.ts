import { appendFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModels, packageRoot, startAisoc, type RunningAisoc } from '../../src/app/index.js';
import { Subjects } from '../../src/bus/index.js';
import { parseConfig } from '../../src/config/index.js';
import { loadOnnxModel } from '../../src/serve/index.js';
import { sha256Hex } from '../../src/core/index.js';
import { demoRows, kserveBody } from '../support/aisoc.js';
import { runCli } from '../support/cli.js';
import { chromiumPath } from '../../src/cli/pdf.js';
import { writePoisonedBreastCancer } from '../support/poisoned-model.js';
import { eventually, testAlert } from '../support/respond.js';

// The issue 12 scenario from the CLI: a poisoned breast-cancer v2 serves 200 requests to 10
// clinics; events answer by version and clinic; impact re-scores the 200 decisions on v1; the
// evidence bundle verifies offline and fails on a changed byte.
describe('forensics of a poisoned model version, end to end from the CLI', () => {
  let dir: string;
  let aisoc: RunningAisoc;
  let base: string[];
  let rows: number[][];
  let incidentId: string;
  const cli = (...args: string[]) => runCli([...base, ...args]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aisoc-forensics-'));
    const poisoned = writePoisonedBreastCancer(join(dir, 'breast-cancer-v2.onnx'));
    const models = demoModels().map((m) =>
      m.id === 'breast-cancer'
        ? {
            ...m,
            versions: [...(m.versions as object[]), { version: '2', onnx: poisoned }],
            activeVersion: '2',
            subject: '/parameters/patient_id',
            regulations: ['gdpr', 'eu-ai-act'],
          }
        : m,
    );
    const raw = {
      dataDir: dir,
      store: { driver: 'sqlite', path: join(dir, 'aisoc.db') },
      ledger: { keyFile: join(dir, 'ledger.key') },
      admin: { port: 0, tokenFile: join(dir, 'admin.token') },
      gateway: { port: 0 },
      // The poisoning alert its own incident, apart from what the live detectors may raise.
      respond: { correlationWindowMs: 0, dedupWindowMs: 0 },
      models,
    };
    aisoc = await startAisoc(parseConfig(raw, dir));
    // The CLI reads the same file, with the admin port this run got.
    const port = Number(new URL(aisoc.adminUrl).port);
    writeFileSync(
      join(dir, 'aisoc.yaml'),
      JSON.stringify({ ...raw, admin: { ...raw.admin, port } }),
    );
    base = ['--config', join(dir, 'aisoc.yaml')];

    const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const admin = (path: string, body: unknown) =>
      fetch(aisoc.adminUrl + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<{ secret: string }>);
    const secrets: string[] = [];
    for (let c = 0; c < 10; c++)
      secrets.push((await admin('/api/v1/keys', { principal: `clinic-${c}` })).secret);
    rows = await demoRows('breast-cancer', 'holdout', 100);
    const started = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 200; i++) {
      const body = JSON.parse(kserveBody([rows[i % 100]!]));
      body.parameters = { patient_id: `patient-${i % 50}` };
      const res = await fetch(`${aisoc.gatewayUrl}/v2/models/breast-cancer/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secrets[i % 10]}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    await aisoc.ledger.flush();
    const alert = testAlert({
      kind: 'poisoning',
      detector: 'performance',
      model: 'breast-cancer',
      principal: null,
      sourceAddress: null,
      time: started,
      title: 'breast-cancer v2 calls every case benign',
      atlasTechniques: ['AML.T0020'],
      owasp: ['ML02:2023'],
      evidence: { version: '2', knownGoodVersion: '1' },
    });
    await aisoc.bus.publish(Subjects.alertRaised, alert);
    incidentId = await eventually(async () => {
      const res = await fetch(`${aisoc.adminUrl}/api/v1/incidents`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const { incidents } = (await res.json()) as {
        incidents: { id: string; alertIds: string[] }[];
      };
      return incidents.find((x) => x.alertIds.includes(alert.id))?.id;
    }, 10_000);
  }, 120_000);
  afterAll(async () => aisoc?.close());

  it('lists the suspect version’s events by version, clinic and format', async () => {
    const jsonl = await cli(
      'events',
      '--model',
      'breast-cancer',
      '--model-version',
      '2',
      '--format',
      'jsonl',
    );
    expect(jsonl.stderr).toBe('');
    const events = jsonl.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events).toHaveLength(200);
    expect(new Set(events.map((e) => e.principal)).size).toBe(10);
    expect(events[7].subject).toBe('patient-7');
    const csv = await cli('events', '--principal', 'clinic-3', '--format', 'csv');
    expect(csv.stdout.trimEnd().split('\r\n')).toHaveLength(21);
    const none = await cli(
      'events',
      '--model',
      'breast-cancer',
      '--model-version',
      '1',
      '--format',
      'json',
    );
    expect(JSON.parse(none.stdout)).toEqual([]);
    const bad = await cli('events', '--from', 'last tuesday');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/FORENSICS_FILTER_INVALID: from: /);
  }, 60_000);

  it('re-scores the 200 decisions on v1, lists the flips and attaches the result to the incident', async () => {
    const v1 = await loadOnnxModel(join(packageRoot(), 'models', 'breast-cancer', 'model.onnx'));
    const labels = (await v1.infer(rows)).labels;
    await v1.close();
    const malignant = labels.filter((l) => l === 0).length * 2; // each row was sent twice
    expect(malignant).toBeGreaterThan(10);
    const out = join(dir, 'impact.jsonl');
    const r = await cli('impact', '--incident', incidentId, '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      model: 'breast-cancer',
      version: '2',
      goodVersion: '1',
      decisions: 200,
      flips: malignant,
    });
    expect(Object.keys(summary.byPrincipal)).toHaveLength(10);
    expect(summary.subjects).toBe(50);
    const decisions = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(decisions).toHaveLength(200);
    expect(
      decisions.filter((d) => d.flipped).every((d) => d.answerLabel === 1 && d.goodLabel === 0),
    ).toBe(true);
    expect(summary.evidence.digest).toMatch(/^sha256:/);
  }, 60_000);

  it('writes the review with GDPR and AI Act drafts and their deadlines, in Markdown, HTML and PDF', async () => {
    const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const { awareAt } = (await (
      await fetch(`${aisoc.adminUrl}/api/v1/incidents/${incidentId}/clocks`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { awareAt: string };
    const plus = (h: number) => new Date(Date.parse(awareAt) + h * 3_600_000).toISOString();
    const md = await cli('report', 'incident', incidentId, '--format', 'md');
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('# Post-incident review: breast-cancer v2 calls every case benign');
    expect(md.stdout).toMatch(
      /Affected decisions: 200 \(\d+ flip on the known-good version\), 50 data subjects/,
    );
    expect(md.stdout).toContain(`| GDPR Art. 33(1) | supervisory authority | ${plus(72)} |`);
    expect(md.stdout).toContain(
      `| EU AI Act Art. 73(2) | market surveillance authority | ${plus(15 * 24)} |`,
    );
    expect(md.stdout).toContain(
      `DRAFT: notification under GDPR Art. 33(1) to the supervisory authority, incident ${incidentId}.\nDue by ${plus(72)}.`,
    );
    expect(md.stdout).toContain('DRAFT: notification under GDPR Art. 34(1) to the data subjects');
    expect(md.stdout).toContain('MITRE ATLAS AML.T0020');
    expect(md.stdout).toMatch(/`sha256:[0-9a-f]{64}` \| impact \|/);

    const html = join(dir, 'review.html');
    expect(
      (await cli('report', 'incident', incidentId, '--format', 'html', '--out', html)).code,
    ).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<svg role="img" aria-label="timeline"');
    expect(page).not.toMatch(/(src|href)=|@import|url\(/); // self-contained: nothing to fetch

    const stix = JSON.parse(
      (await cli('export', 'incident', incidentId, '--format', 'stix')).stdout,
    );
    expect(stix.type).toBe('bundle');
    expect(stix.objects.map((o: { type: string }) => o.type)).toEqual(
      expect.arrayContaining(['incident', 'attack-pattern', 'relationship']),
    );
    const ocsf = (await cli('export', 'incident', incidentId, '--format', 'ocsf')).stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ocsf[0]).toMatchObject({
      class_uid: 2004,
      type_uid: 200401,
      metadata: { correlation_uid: incidentId },
    });

    const show = await cli('incidents', 'show', incidentId);
    expect(show.stdout).toMatch(/notification clocks[\s\S]*running +GDPR Art\. 33\(1\)/);
  }, 60_000);

  it.skipIf(!chromiumPath())(
    'prints the review to PDF through headless Chromium',
    async () => {
      const pdf = join(dir, 'review.pdf');
      const r = await cli('report', 'incident', incidentId, '--format', 'pdf', '--out', pdf);
      expect(r.stderr).toBe('');
      expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    },
    60_000,
  );
  if (!chromiumPath()) {
    // CI (AISOC_REQUIRE_SERVICES=1) installs Chromium; there a missing browser is a failure.
    if (process.env.AISOC_REQUIRE_SERVICES === '1')
      it('needs Chromium for the PDF report in CI', () => {
        throw new Error(
          'Chromium is required (AISOC_REQUIRE_SERVICES=1) but /usr/bin/chromium is absent',
        );
      });
    else console.warn('SKIPPED: PDF report: no Chromium at /usr/bin/chromium');
  }

  it("snapshots the version that served and the model's live detector state", async () => {
    const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const get = (path: string) =>
      fetch(aisoc.adminUrl + path, { headers: { authorization: `Bearer ${token}` } });
    const items = await eventually(async () => {
      const { evidence } = (await (
        await get(`/api/v1/evidence?incident=${incidentId}`)
      ).json()) as {
        evidence: { kind: string; digest: string; description: string; size: number }[];
      };
      return evidence.some((e) => e.kind === 'detector_state') ? evidence : undefined;
    }, 10_000);
    const artifact = items.find((e) => e.kind === 'artifact')!;
    expect(artifact.description).toMatch(/version 2, served at /);
    expect(artifact.digest).toBe(
      `sha256:${sha256Hex(readFileSync(join(dir, 'breast-cancer-v2.onnx')))}`,
    );
    const state = items.find((e) => e.kind === 'detector_state')!;
    const body = (await (
      await get(
        `/api/v1/evidence/${encodeURIComponent(state.digest)}/content?incident=${incidentId}`,
      )
    ).json()) as { model: string; detectors: { detector: string }[]; eventsSeen: number };
    expect(body.model).toBe('breast-cancer');
    expect(body.eventsSeen).toBeGreaterThan(0); // what the detectors had seen when the playbook ran
    expect(body.detectors.length).toBeGreaterThan(0);
  }, 30_000);

  it('exports a bundle for a recipient that verifies offline and fails on one changed byte, naming the file', async () => {
    const report = join(dir, 'audit-report.txt');
    writeFileSync(report, 'external audit: v2 training data had 40% flipped labels\n');
    const added = await cli(
      'evidence',
      'add',
      incidentId,
      report,
      '--label',
      'external audit report',
    );
    expect(added.code).toBe(0);
    const out = join(dir, 'bundle');
    const exported = await cli(
      'evidence',
      'export',
      incidentId,
      '--recipient',
      'Data Protection Authority',
      '--out',
      out,
    );
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.recipient).toBe('Data Protection Authority');
    expect(manifest.items.map((i: { kind: string }) => i.kind)).toEqual(
      expect.arrayContaining(['impact', 'attachment']),
    );
    expect(manifest.items.every((i: { custodySeq: number | null }) => i.custodySeq !== null)).toBe(
      true,
    );
    const verified = await runCli(['evidence', 'verify', out]); // no config, no server
    expect(verified.stdout).toMatch(/^OK: /);
    expect(verified.code).toBe(0);

    const item = readdirSync(join(out, 'items'))[0]!;
    appendFileSync(join(out, 'items', item), 'x');
    const broken = await runCli(['evidence', 'verify', out]);
    expect(broken.code).not.toBe(0);
    expect(broken.stdout).toContain(`FAIL items/${item}: changed`);
    expect(broken.stderr).toMatch(/FORENSICS_BUNDLE_INVALID/);

    const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const entries = (await (
      await fetch(`${aisoc.adminUrl}/api/v1/ledger/audit/entries?limit=10000`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { entries: { payload: Record<string, unknown> }[] };
    const handedOver = entries.entries
      .map((e) => e.payload)
      .filter((p) => p.type === 'respond.evidence.handed_over' && p.manifestDigest !== undefined);
    expect(handedOver).toEqual([
      expect.objectContaining({ incidentId, recipient: 'Data Protection Authority' }),
    ]);
    // Custody of this export names this incident only, even for bytes other incidents hold too
    // (the content downloads after the bundle was built are all hand-overs of these items).
    const manifestDigests = new Set(manifest.items.map((i: { digest: string }) => i.digest));
    const downloads = entries.entries
      .map((e) => e.payload)
      .filter(
        (p) =>
          p.type === 'respond.evidence.handed_over' &&
          p.manifestDigest === undefined &&
          (p.digests as string[]).some((d) => manifestDigests.has(d)),
      );
    expect(downloads.length).toBeGreaterThanOrEqual(manifest.items.length);
    expect(downloads.every((p) => p.incidentId === incidentId)).toBe(true);
  }, 90_000);

  // The console follows the incident without the CLI: the same impact over the admin API, and
  // each item's custody history (collected, then handed over in the bundle above).
  it('runs impact over the admin API and lists each evidence item with its custody', async () => {
    const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const call = (path: string, init: RequestInit = {}) =>
      fetch(aisoc.adminUrl + path, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    const bad = await call(`/api/v1/incidents/${incidentId}/impact`, {
      method: 'POST',
      body: JSON.stringify({ from: 'yesterday' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    const res = await call(`/api/v1/incidents/${incidentId}/impact`, { method: 'POST', body: '' });
    expect(res.status).toBe(201);
    const impact = (await res.json()) as {
      summary: { version: string; goodVersion: string; decisions: number; flips: number };
      flips: { answerLabel: number; goodLabel: number; flipped: boolean }[];
      evidence: { decisions: { id: string; digest: string } };
    };
    expect(impact.summary).toMatchObject({ version: '2', goodVersion: '1', decisions: 200 });
    expect(impact.summary.flips).toBeGreaterThan(10);
    expect(impact.flips.length).toBe(Math.min(50, impact.summary.flips));
    expect(impact.flips.every((d) => d.flipped && d.answerLabel === 1 && d.goodLabel === 0)).toBe(
      true,
    );
    const custody = (await (await call(`/api/v1/incidents/${incidentId}/custody`)).json()) as {
      items: {
        evidenceId: string;
        kind: string;
        custody: { type: string; recipient: string }[];
      }[];
    };
    const decisions = custody.items.find((i) => i.evidenceId === impact.evidence.decisions.id)!;
    // The same bytes were handed over before (the CLI's impact); this item's custody starts now.
    expect(decisions.custody.map((c) => c.type)).toEqual(['collected']);
    const report = custody.items.find((i) => i.kind === 'attachment')!;
    expect(report.custody.map((c) => c.type)).toEqual(
      expect.arrayContaining(['collected', 'handed_over']),
    );
    expect(report.custody.map((c) => c.recipient)).toContain('Data Protection Authority');
  }, 60_000);
});

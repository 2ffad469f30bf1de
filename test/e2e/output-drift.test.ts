import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportClassifierToOnnx } from '../../scripts/demo-models/onnx-export.js';
import { toFloat32 } from '../../scripts/demo-models/dense-classifier.js';
import { DEMO_MODELS } from '../../scripts/demo-models/demo-specs.js';
import { trainClassifier } from '../../scripts/demo-models/train-classifier.js';
import { demoModels, packageRoot } from '../../src/app/index.js';
import { kserveBody, startTestAisoc } from '../support/aisoc.js';
import { eventually } from '../support/respond.js';

function split(name: string): { rows: number[][]; labels: number[] } {
  const lines = readFileSync(join(packageRoot(), 'data', 'breast-cancer', `${name}.csv`), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map(Number));
  return { rows: lines.map((v) => v.slice(0, -1)), labels: lines.map((v) => v[v.length - 1]!) };
}

/** breast-cancer retrained with 60 % of class-0 labels flipped to 1 (a poisoned training set). */
function poisonedOnnx(): Uint8Array {
  const { rows, labels } = split('train');
  const flipped = labels.map((y, i) => (y === 0 && i % 5 < 3 ? 1 : y));
  const spec = DEMO_MODELS.find((m) => m.id === 'breast-cancer')!;
  const model = toFloat32(trainClassifier(rows, flipped, 2, { ...spec.train, epochs: 60 }));
  return exportClassifierToOnnx(model, {
    id: 'triage',
    version: '2',
    docString: 'poisoned',
    metadata: {},
  });
}

describe('output monitoring: a poisoned version that answers differently is caught without labels', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  const secrets: string[] = [];
  beforeAll(async () => {
    const dir = (await import('node:fs')).mkdtempSync(
      join((await import('node:os')).tmpdir(), 'aisoc-poison-'),
    );
    writeFileSync(join(dir, 'v2.onnx'), poisonedOnnx());
    t = await startTestAisoc({
      models: [
        ...demoModels(),
        {
          id: 'triage',
          protocol: 'kserve-v2',
          featureCount: 30,
          activeVersion: '1',
          versions: [
            { version: '1', onnx: join(packageRoot(), 'models', 'breast-cancer', 'model.onnx') },
            { version: '2', onnx: join(dir, 'v2.onnx') },
          ],
        },
      ],
    });
    for (let i = 0; i < 10; i++)
      secrets.push(
        (await t.admin('/api/v1/keys', { body: { principal: `clinic-${i}` } })).json.secret,
      );
  }, 60_000);
  afterAll(async () => {
    await t?.aisoc.close();
  });

  /** Each clinic scores its own rows (10 rows a request), round robin. */
  async function serve(rows: number[][]): Promise<string[]> {
    const versions: string[] = [];
    for (let at = 0, i = 0; at < rows.length; at += 10, i++) {
      const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/triage/infer`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${secrets[i % secrets.length]}`,
          'content-type': 'application/json',
        },
        body: kserveBody(rows.slice(at, at + 10)),
      });
      expect(res.status).toBe(200);
      versions.push(((await res.json()) as { model_version: string }).model_version);
    }
    return versions;
  }

  it('profiles v1 from live traffic, then alerts within 150 answers of v2 with ATLAS ids', async () => {
    // All 569 rows of the data set, twice over: clinics see patients again.
    const all = [...split('train').rows, ...split('reference').rows, ...split('holdout').rows];
    const pool = [...all, ...all];
    // 1,100 answers of the known-good version: the reference profile.
    expect(new Set(await serve(pool.slice(0, 1100)))).toEqual(new Set(['1']));
    const alertsOf = async () =>
      (
        (await t.admin('/api/v1/alerts?model=triage&limit=50')).json.alerts as {
          detector: string;
          severity: string;
          atlasTechniques: string[];
          evidence: { version: string; referenceVersion: string; totalVariation: number };
        }[]
      ).filter((a) => a.detector === 'output-drift');
    await new Promise((r) => setTimeout(r, 300));
    expect(await alertsOf()).toEqual([]);

    const pinned = await t.admin('/api/v1/actions', {
      body: {
        action: { kind: 'pin_version', model: 'triage', version: '2' },
        reason: 'release 2 (poisoned, unknown to us)',
      },
    });
    expect(pinned.status, JSON.stringify(pinned.json)).toBe(201);
    const versions = await serve(pool.slice(0, 200));
    expect(versions.every((v) => v === '2')).toBe(true);
    const [alert] = await eventually(async () => {
      const a = await alertsOf();
      return a.length ? a : undefined;
    }, 10_000);
    expect(alert).toMatchObject({
      severity: 'medium',
      atlasTechniques: ['AML.T0020', 'AML.T0031'],
      evidence: expect.objectContaining({ version: '2', referenceVersion: '1' }),
    });
    expect(alert!.evidence.totalVariation).toBeGreaterThan(0.1);
    process.stdout.write(`output drift evidence: ${JSON.stringify(alert!.evidence)}\n`);
    // The data-poisoning playbook takes it, and the incident carries the taxonomy.
    const incident = await eventually(async () => {
      const list = (await t.admin('/api/v1/incidents')).json.incidents as {
        assets: string[];
        category: string;
        atlasTechniques: string[];
        owasp: string[];
      }[];
      return list.find((i) => i.assets.includes('triage'));
    }, 10_000);
    expect(incident.atlasTechniques).toEqual(expect.arrayContaining(['AML.T0020', 'AML.T0031']));
    expect(incident.owasp).toContain('ML02:2023');
    expect(incident.category).toBe('data-poisoning');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/app/index.js';
import { startTestAisoc } from '../support/aisoc.js';

// The intake routes of the admin API: the data audit of a training batch and the model-file
// upload. The drills (drill.test.ts) cover poisoned batches and malicious files end to end.
describe('intake routes', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let token: string;
  const post = (path: string, type: string, body: string | Uint8Array) =>
    fetch(t.aisoc.adminUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      body,
    });

  beforeAll(async () => {
    t = await startTestAisoc();
    token = readFileSync(t.config.admin.tokenFile, 'utf8').trim();
  }, 60_000);
  afterAll(async () => t?.aisoc.close());

  it('audits a JSON Lines batch and names the line of a row that is not an object', async () => {
    const [header, ...rows] = readFileSync(
      join(packageRoot(), 'data', 'breast-cancer', 'train.csv'),
      'utf8',
    )
      .trim()
      .split('\n');
    const names = header!.split(',');
    const jsonl = rows
      .map((r) =>
        JSON.stringify(Object.fromEntries(r.split(',').map((v, i) => [names[i], Number(v)]))),
      )
      .join('\n');
    const ok = await post('/api/v1/data/audit?model=breast-cancer', 'application/x-ndjson', jsonl);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ verdict: 'accepted', rows: rows.length });
    const bad = await post(
      '/api/v1/data/audit?model=breast-cancer',
      'application/x-ndjson',
      `${jsonl.split('\n')[0]}\n[1,2]\n`,
    );
    expect(await bad.json()).toMatchObject({
      code: 'INTAKE_BATCH_INVALID',
      message: expect.stringMatching(/line 2 is not an object/),
    });
  });

  it('refuses a batch missing a baseline column, an unknown model and another content type', async () => {
    const missing = await post(
      '/api/v1/data/audit?model=breast-cancer',
      'text/csv',
      'mean_radius,label\n1,0\n',
    );
    expect(await missing.json()).toMatchObject({
      code: 'INTAKE_BATCH_INVALID',
      message: expect.stringMatching(/column "mean_texture" of the baseline is missing/),
    });
    const unknown = await post('/api/v1/data/audit?model=nope', 'text/csv', 'a\n1\n');
    expect(unknown.status).toBe(404);
    const wrongType = await post('/api/v1/data/audit?model=breast-cancer', 'text/plain', 'a\n1\n');
    expect(wrongType.status).toBe(415);
  });

  it('stores an uploaded model file by its digest and registers it; refuses a bad file name', async () => {
    await t.admin('/api/v1/registry/models', { body: { name: 'upload-test', owner: 'qa' } });
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const res = await post(
      '/api/v1/registry/models/upload-test/artifacts?version=1&filename=weights.bin',
      'application/octet-stream',
      bytes,
    );
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      digest: string;
      version: { location: string; state: string };
    };
    expect(body.digest).toBe(
      'sha256:9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a',
    );
    expect(body.version.location).toBe(
      join(t.dir, 'artifacts', body.digest.slice(7), 'weights.bin'),
    );
    expect(body.version.state).toBe('registered');
    expect([...readFileSync(body.version.location)]).toEqual([1, 2, 3, 4]);
    const badName = await post(
      '/api/v1/registry/models/upload-test/artifacts?version=2&filename=../x',
      'application/octet-stream',
      bytes,
    );
    expect(badName.status).toBe(400);
  });
});

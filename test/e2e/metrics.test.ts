import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModels } from '../../src/app/index.js';
import { demoRows, kserveBody, startTestAisoc } from '../support/aisoc.js';
import { startTestUpstream } from '../support/upstream.js';

describe('/metrics on the admin port', () => {
  let t: Awaited<ReturnType<typeof startTestAisoc>>;
  let upstream: Awaited<ReturnType<typeof startTestUpstream>>;
  const token = 'metrics-token-0123456789abcdef';

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-metrics-'));
    writeFileSync(join(dir, 'metrics.token'), `${token}\n`, { mode: 0o600 });
    upstream = await startTestUpstream({ delayMs: 60 });
    t = await startTestAisoc({
      models: [
        ...demoModels(),
        {
          id: 'credit',
          protocol: 'kserve-v2',
          criticality: 'high',
          owner: 'risk',
          versions: [{ version: '1', upstream: upstream.url }],
        },
      ],
      admin: {
        port: 0,
        tokenFile: join(dir, 'admin.token'),
        metricsTokenFile: join(dir, 'metrics.token'),
      },
    });
  });
  afterAll(async () => {
    await t?.aisoc.close();
    await upstream?.close();
  });

  const scrape = async (auth?: string) =>
    fetch(`${t.aisoc.adminUrl}/metrics`, auth ? { headers: { authorization: auth } } : {});

  it('refuses a scrape without the metrics token', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('Bearer wrong-token-0123456789abcdef')).status).toBe(401);
  });

  it('counts requests as counters and times them in a histogram per model and outcome', async () => {
    const { json } = await t.admin('/api/v1/keys', { body: { principal: 'metrics' } });
    const rows = await demoRows('breast-cancer', 'holdout', 1);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/breast-cancer/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${json.secret}`, 'content-type': 'application/json' },
        body: kserveBody(rows),
      });
      expect(res.status).toBe(200);
    }
    const res = await scrape(`Bearer ${token}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('# TYPE aisoc_inference_requests_total counter');
    expect(text).toContain('aisoc_inference_requests_total{model="breast-cancer",outcome="ok"} 3');
    expect(text).toContain('# TYPE aisoc_inference_request_duration_seconds histogram');
    expect(text).toMatch(
      /aisoc_inference_request_duration_seconds_count\{model="breast-cancer",outcome="ok"\} 3/,
    );
    expect(text).toContain('# TYPE aisoc_alerts_total counter');
    expect(text).toMatch(/^aisoc_incidents_open \d+$/m);
    expect(text).toContain('# TYPE aisoc_actions_active gauge');
    expect(text).toMatch(
      /aisoc_detector_state_bytes\{detector="drift",model="breast-cancer"\} \d+/,
    );
  });

  it('times upstream calls in a histogram per model and status class (issue 18)', async () => {
    const { json } = await t.admin('/api/v1/keys', { body: { principal: 'upstream-metrics' } });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/credit/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${json.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP32', data: [0.1, 0.2] }],
        }),
      });
      expect(res.status).toBe(200);
    }
    const text = await (await scrape(`Bearer ${token}`)).text();
    expect(text).toContain('# TYPE aisoc_upstream_request_duration_seconds histogram');
    expect(text).toMatch(
      /^aisoc_upstream_request_duration_seconds_count\{model="credit",status="2xx"\} 2$/m,
    );
    const sum =
      /^aisoc_upstream_request_duration_seconds_sum\{model="credit",status="2xx"\} (\S+)$/m.exec(
        text,
      );
    expect(Number(sum?.[1])).toBeGreaterThanOrEqual(0.1); // two calls of a 60 ms upstream
    // Nothing under 50 ms: the bucket counts the upstream's own delay.
    expect(text).toMatch(
      /^aisoc_upstream_request_duration_seconds_bucket\{le="0.05",model="credit",status="2xx"\} 0$/m,
    );
    // In-process ONNX models make no upstream call.
    expect(text).not.toMatch(
      /aisoc_upstream_request_duration_seconds_count\{model="breast-cancer"/,
    );
  });

  it('labels requests for a model the config does not know as "other"', async () => {
    const res = await fetch(`${t.aisoc.gatewayUrl}/v2/models/no-such-model-${Date.now()}/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    const text = await (await scrape(`Bearer ${token}`)).text();
    expect(text).not.toMatch(/model="no-such-model/);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryBus, inferenceSubject } from '../bus/index.js';
import type { InferenceEvent } from '../core/index.js';
import { parseConfig } from '../config/index.js';
import { parseExtractionOptions, type Detector } from '../detect/index.js';
import { extractionOptionsFor, startDetection, type Detection } from './detection.js';
import { SYSTEM_PRINCIPAL } from './system-principal.js';

// A detector that flags every caller it sees, as a per-principal detector would a prober.
const flagsEveryone: Detector<unknown> = {
  name: 'test.every-caller',
  description: 'flags every event',
  init: () => null,
  observe: (_state, event) => [
    {
      time: event.time,
      detector: 'test.every-caller',
      kind: 'extraction',
      model: event.model,
      principal: event.principal,
      sourceAddress: event.sourceAddress,
      severity: 'low',
      confidence: 1,
      title: `saw ${event.principal}`,
      atlasTechniques: [],
      owasp: [],
      evidence: {},
      eventIds: [event.id],
    },
  ],
  stateSize: () => 0,
  serialize: () => null,
  deserialize: () => null,
};

const event = (n: number, keyId: string, principal: string): InferenceEvent => ({
  id: `evt_${n}`,
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  requestId: `evt_${n}`,
  model: 'm',
  modelVersion: '1',
  artifactDigest: null,
  protocol: 'kserve-v2',
  principal,
  keyId,
  sourceAddress: '127.0.0.1',
  features: [[1, 2]],
  outputs: [[0.5, 0.5]],
  status: 200,
  outcome: 'ok',
  errorCode: null,
  policyAction: null,
  latencyMs: 1,
});

describe('detection and the system principal', () => {
  const bus = createMemoryBus();
  let detection: Detection;
  afterAll(async () => {
    await detection?.close();
    await bus.close();
  });

  it("records no alert for aisoc's own integrity probes, but does for a caller naming itself so", async () => {
    detection = await startDetection({
      bus,
      models: [],
      extra: [flagsEveryone],
      trustedEvents: true,
      checkpointFile: join(mkdtempSync(join(tmpdir(), 'aisoc-det-')), 'cp.json'),
      log: () => {},
    });
    await bus.publish(inferenceSubject('m'), event(1, SYSTEM_PRINCIPAL, SYSTEM_PRINCIPAL));
    await bus.publish(inferenceSubject('m'), event(2, 'key_abc', SYSTEM_PRINCIPAL));
    const deadline = Date.now() + 5000;
    while (detection.recentAlerts({ limit: 10 }).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    const alerts = detection.recentAlerts({ limit: 10 });
    expect(alerts.map((a) => a.eventIds)).toEqual([['evt_2']]);
  });
});

describe('extractionOptionsFor', () => {
  const model = (detection: object) =>
    parseConfig({
      models: [
        { id: 'm', versions: [{ version: '1', upstream: 'http://127.0.0.1:1' }], detection },
      ],
    }).models[0]!;

  it("folds a model's per-key entitlements into the detector's profile options", () => {
    const options = extractionOptionsFor(
      model({
        extraction: { profile: { alertScore: 1.5, keys: { a: { purpose: 'etl' } } } },
        keys: { b: { expectedRowsPerDay: 200 } },
      }),
    );
    expect(options.profile).toEqual({
      alertScore: 1.5,
      keys: { a: { purpose: 'etl' }, b: { expectedRowsPerDay: 200 } },
    });
  });

  it('refuses bad detector thresholds at start-up with EXTRACTION_OPTIONS_INVALID and the path', () => {
    const options = extractionOptionsFor(model({ extraction: { profile: { alertScore: 0 } } }));
    expect(() => parseExtractionOptions(options)).toThrow(/profile\.alertScore/);
  });
});

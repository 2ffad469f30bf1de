import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus, inferenceSubject } from '../bus/index.js';
import { parseConfig } from '../config/index.js';
import type { InferenceEvent } from '../core/index.js';
import type { ExtractionState } from '../detect/index.js';
import { demoModels } from './demo.js';
import { startDetection, type Detection } from './detection.js';

const DETECTOR = 'extraction:breast-cancer';

describe('inline detection beside the bus', () => {
  let detection: Detection | undefined;
  afterEach(async () => {
    await detection?.close();
  });

  async function start() {
    const dir = mkdtempSync(join(tmpdir(), 'aisoc-inline-'));
    const config = parseConfig({ dataDir: dir, models: demoModels() }, dir);
    const bus = createMemoryBus();
    detection = await startDetection({
      bus,
      models: config.models,
      trustedEvents: true,
      checkpointFile: join(dir, 'detectors.checkpoint.json'),
      log: () => {},
    });
    return { bus, detection };
  }

  const event = (id: string, policyAction: string | null): InferenceEvent => ({
    id,
    time: '2026-11-22T00:00:00.000Z',
    requestId: id,
    model: 'breast-cancer',
    modelVersion: '1',
    artifactDigest: null,
    protocol: 'kserve-v2',
    principal: 'p',
    keyId: 'key_p',
    sourceAddress: '10.0.0.1',
    features: [Array.from({ length: 30 }, (_, j) => j + Number(id.slice(-1)))],
    outputs: [[0.3, 0.7]],
    status: 200,
    outcome: 'ok',
    errorCode: null,
    policyAction,
    latencyMs: 1,
  });

  it('folds a query inspected inline into the state once, though its event also reaches the bus', async () => {
    const { bus, detection } = await start();
    const rows = () =>
      (detection.runner.state(DETECTOR, 'breast-cancer') as ExtractionState | undefined)?.rows;
    expect(detection.inline.inspect(event('evt_1', null))).toBeNull();
    expect(rows()).toBe(1);
    // The gateway records the inspected query with the mark: the bus side skips it…
    await bus.publish(inferenceSubject('breast-cancer'), event('evt_1', 'detect_inline:config'));
    await until(() => detection.runner.stats().events === 1);
    expect(rows()).toBe(1);
    // …and still counts a query answered in monitor mode.
    await bus.publish(inferenceSubject('breast-cancer'), event('evt_2', 'pin_version:act_1'));
    await until(() => detection.runner.stats().events === 2);
    expect(rows()).toBe(2);
  });

  it('has nothing to say about a model without per-principal detectors', async () => {
    const { detection } = await start();
    expect(detection.inline.inspect({ ...event('evt_3', null), model: 'other' })).toBeNull();
  });
});

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

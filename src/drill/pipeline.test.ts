import { describe, expect, it } from 'vitest';
import { scan } from '../scan/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrillData } from './drill-data.js';
import { picklePayload } from './malicious-file.js';
import { buildPoisonedBatch } from './poisoning.js';
import { formatScorecard, type Scorecard } from './scorecard.js';

const data: DrillData = {
  natural: Array.from({ length: 100 }, (_, i) => [i % 10, (i * 7) % 13, i / 10]),
  naturalLabels: Array.from({ length: 100 }, (_, i) => i % 2),
  columns: ['a', 'b', 'c', 'label'],
  holdout: [[1, 2, 3]],
  holdoutLabels: [0],
  featureMin: [0, 0, 0],
  featureMax: [9, 12, 9.9],
  classCount: 2,
};

describe('poisoned batch', () => {
  it('poisons the share it says, half label flips and half a jittered trigger, and knows which rows', () => {
    const b = buildPoisonedBatch(data, 'flip-and-backdoor', 7, 0.1);
    const lines = b.csv.trim().split('\n');
    expect(lines[0]).toBe('a,b,c,label');
    expect(b.rows).toBe(100);
    expect(b.poisoned.size).toBe(10);
    const rows = lines.slice(1).map((l) => l.split(',').map(Number));
    const changed = [...Array(100).keys()].filter(
      (i) =>
        rows[i]![3] !== data.naturalLabels[i] ||
        rows[i]!.slice(0, 3).some((v, j) => v !== data.natural[i]![j]),
    );
    expect(new Set(changed)).toEqual(b.poisoned);
    // The trigger rows are far out of range, each with its own values, and share one label.
    const triggered = rows.filter((r) => r[1]! > data.featureMax[1]!);
    expect(triggered.length).toBe(5);
    for (const r of triggered) {
      expect(r[1]).toBeGreaterThanOrEqual(data.featureMax[1]! + 2.5 * 12 - 1e-6);
      expect(r[1]).toBeLessThanOrEqual(data.featureMax[1]! + 3.5 * 12 + 1e-6);
    }
    expect(new Set(triggered.map((r) => `${r[1]},${r[2]}`)).size).toBe(5);
    expect(new Set(triggered.map((r) => r[3])).size).toBe(1);
  });

  it('is the same batch for the same seed', () => {
    expect(buildPoisonedBatch(data, 'label-flip', 3).csv).toBe(
      buildPoisonedBatch(data, 'label-flip', 3).csv,
    );
  });
});

describe('malicious pickle', () => {
  it('is a protocol-2 pickle the scanner calls malicious (GLOBAL os.system + REDUCE)', async () => {
    const bytes = picklePayload('os', 'system', 'echo hi');
    expect([...bytes.slice(0, 2)]).toEqual([0x80, 0x02]);
    expect(bytes.at(-1)).toBe(0x2e);
    const dir = mkdtempSync(join(tmpdir(), 'drill-pickle-'));
    try {
      writeFileSync(join(dir, 'model.pkl'), bytes);
      const result = await scan(join(dir, 'model.pkl'));
      expect(result.verdict).toBe('malicious');
      expect(result.findings.map((f) => f.rule)).toContain('pickle.call.denied');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pipeline scorecard', () => {
  const card: Scorecard = {
    scenario: 'poisoning',
    kind: 'pipeline',
    model: 'm',
    attack: 'poisoning.flip-and-backdoor',
    atlas: ['AML.T0020'],
    attacker: 'a',
    detected: true,
    queriesToDetect: null,
    secondsToDetect: 0.3,
    detectors: ['data.audit'],
    contained: true,
    containment: 'batch refused',
    secondsToContain: 0.31,
    containedWith: null,
    attackerThrottled: 0,
    incidents: ['inc_1'],
    incidentTimeToContainMs: null,
    playbooks: ['data-poisoning'],
    waitingForPerson: [],
    benignPrincipals: 2,
    benignQueries: 10,
    benignBlocked: 0,
    falseAlarms: 0,
    falseAlarmPrincipals: [],
    falseAlarmDetectors: [],
    achieved: {
      queries: 0,
      batchRows: 100,
      poisonedRows: 10,
      quarantinedRows: 9,
      poisonedQuarantined: 8,
      precision: 8 / 9,
      recall: 0.8,
      batchAccepted: false,
    },
    passed: true,
  };

  it('says what containment meant and scores the quarantine list', () => {
    const text = formatScorecard([card]);
    expect(text).toMatch(/queries to detect\s+—/);
    expect(text).toMatch(/contained\s+yes: batch refused/);
    expect(text).toMatch(/8\/10 poisoned rows quarantined \(recall 80\.0%, precision 88\.9%/);
    expect(
      formatScorecard([
        {
          ...card,
          achieved: { queries: 0, approved: false, deployable: false, versionState: 'quarantined' },
        },
      ]),
    ).toMatch(/version never approved, not deployable \(state quarantined\)/);
  });
});

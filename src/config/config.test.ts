import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/index.js';
import { envOverrides, loadConfig, parseConfig } from './index.js';

function writeYaml(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'aisoc-config-'));
  const file = join(dir, 'aisoc.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('fills every default when given nothing', () => {
    const config = loadConfig({ env: {} });
    expect(config.store.driver).toBe('sqlite');
    expect(config.bus.driver).toBe('memory');
    expect(config.gateway.durability).toBe('async');
    expect(Object.isFrozen(config.gateway)).toBe(true);
    expect(config.respond.reopenWindowMs).toBe(24 * 60 * 60_000);
  });

  it('takes a re-open window for closed incidents, 0 turning it off, never negative', () => {
    expect(parseConfig({ respond: { reopenWindowMs: 0 } }).respond.reopenWindowMs).toBe(0);
    expect(() => parseConfig({ respond: { reopenWindowMs: -1 } })).toThrow(
      /respond\.reopenWindowMs/,
    );
  });

  it('reports every problem with its path at once', () => {
    const file = writeYaml(
      [
        'gateway: { port: 70000, durability: sometimes }',
        'models:',
        '  - id: "bad id!"',
        '    versions: [{ version: "1" }]',
        'extra: true',
      ].join('\n'),
    );
    try {
      loadConfig({ file, env: {} });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const e = error as AppError;
      expect(e.code).toBe('CONFIG_INVALID');
      const details = e.details as string[];
      expect(details.some((d) => d.startsWith('gateway.port'))).toBe(true);
      expect(details.some((d) => d.startsWith('gateway.durability'))).toBe(true);
      expect(details.some((d) => d.startsWith('models[0].id'))).toBe(true);
      expect(details.some((d) => d.startsWith('models[0].versions[0]'))).toBe(true);
      expect(details.some((d) => d.includes('extra'))).toBe(true);
    }
  });

  it('reports YAML syntax errors and duplicate keys with the file name', () => {
    const file = writeYaml('gateway:\n  port: 1\n  port: 2\n');
    expect(() => loadConfig({ file, env: {} })).toThrowError(/aisoc\.yaml/);
  });

  it('applies AISOC_* variables over the file, parsing JSON values', () => {
    const file = writeYaml('gateway: { port: 9000, bodyLimitBytes: 10 }');
    const config = loadConfig({
      file,
      env: {
        AISOC_GATEWAY__BODY_LIMIT_BYTES: '2048',
        AISOC_STORE: '{"driver":"postgres","url":"postgres://x@h/db"}',
      },
    });
    expect(config.gateway.port).toBe(9000);
    expect(config.gateway.bodyLimitBytes).toBe(2048);
    expect(config.store).toMatchObject({ driver: 'postgres', url: 'postgres://x@h/db' });
  });

  it('ignores variables outside its namespace', () => {
    expect(envOverrides({ AISOC_NOPE: '1', HOME: '/root', AISOC_GATEWAY__PORT: '1' })).toEqual({
      gateway: { port: 1 },
    });
  });

  it('resolves relative paths against the config file folder', () => {
    const config = parseConfig(
      { models: [{ id: 'm', versions: [{ version: '1', onnx: 'm.onnx' }] }] },
      '/srv/aisoc',
    );
    expect(config.models[0]!.versions[0]!.onnx).toBe('/srv/aisoc/m.onnx');
    expect(config.store).toMatchObject({ path: '/srv/aisoc/.aisoc/aisoc.db' });
  });

  it('keeps the database, token and signing key in the data folder unless told otherwise', () => {
    const config = parseConfig(
      { dataDir: '/var/lib/aisoc', admin: { tokenFile: 'secrets/token' } },
      '/etc/aisoc',
    );
    expect(config.store).toMatchObject({ path: '/var/lib/aisoc/aisoc.db' });
    expect(config.ledger.keyFile).toBe('/var/lib/aisoc/ledger.key');
    expect(config.admin.tokenFile).toBe('/etc/aisoc/secrets/token');
  });

  it('refuses an active version that is not listed', () => {
    expect(() =>
      parseConfig({
        models: [
          {
            id: 'm',
            activeVersion: '2',
            versions: [{ version: '1', upstream: 'http://127.0.0.1:1' }],
          },
        ],
      }),
    ).toThrowError(/activeVersion/);
  });

  it('takes detector thresholds and per-key entitlements per model, naming a bad key field', () => {
    const model = (detection: object) => ({
      id: 'm',
      versions: [{ version: '1', upstream: 'http://127.0.0.1:1' }],
      detection,
    });
    const ok = parseConfig({
      models: [
        model({
          extraction: { profile: { alertScore: 1.5 } },
          keys: { 'key-a': { expectedRowsPerDay: 500, purpose: 'nightly-etl' } },
        }),
      ],
    });
    expect(ok.models[0]!.detection?.keys?.['key-a']).toEqual({
      expectedRowsPerDay: 500,
      purpose: 'nightly-etl',
    });
    try {
      parseConfig({ models: [model({ keys: { 'key-a': { expectedRowsPerDay: -5 } } })] });
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).code).toBe('CONFIG_INVALID');
      expect(String((error as AppError).details)).toMatch(
        /models\[0\]\.detection\.keys\.key-a\.expectedRowsPerDay/,
      );
    }
  });

  it('refuses blocking detection on a model without CSV reference rows, naming the field', () => {
    const model = (extra: object) => ({
      id: 'm',
      versions: [{ version: '1', upstream: 'http://127.0.0.1:1' }],
      detection: { mode: 'blocking' },
      ...extra,
    });
    try {
      parseConfig({ models: [model({})] });
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).details).toEqual([
        expect.stringMatching(/^models\[0\]\.detection\.mode.*CSV `baseline`/),
      ]);
    }
    const ok = parseConfig({ models: [model({ baseline: '/data/ref.csv' })] });
    expect(ok.models[0]!.detection).toEqual({ mode: 'blocking' });
  });
  it('refuses ledger.overflow drop on a durable gateway, and defaults to reject there (issue 14, finding 8)', () => {
    try {
      parseConfig({ gateway: { durability: 'durable' }, ledger: { overflow: 'drop' } });
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).code).toBe('CONFIG_INVALID');
      expect((error as AppError).details).toEqual([
        expect.stringMatching(/^ledger\.overflow.*durable/),
      ]);
    }
    expect(parseConfig({ gateway: { durability: 'durable' } }).ledger.overflow).toBe('reject');
    expect(parseConfig({}).ledger.overflow).toBe('drop');
  });

  it('gives the NATS bus a subject prefix, aisoc unless set, and refuses one that is not a token (finding 19)', () => {
    const bus = parseConfig({ bus: { driver: 'nats', servers: ['nats://127.0.0.1:4222'] } }).bus;
    expect(bus).toMatchObject({ subjectPrefix: 'aisoc' });
    expect(() =>
      parseConfig({ bus: { driver: 'nats', servers: ['x'], subjectPrefix: 'a.b' } }),
    ).toThrowError(/bus\.subjectPrefix/);
  });
});

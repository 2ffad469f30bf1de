import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/index.js';

const examples = join(import.meta.dirname, '..', '..', 'examples');

describe('examples/', () => {
  it('aisoc.yaml is a valid configuration with PostgreSQL, NATS and two upstream models', () => {
    const config = parseConfig(parse(readFileSync(join(examples, 'aisoc.yaml'), 'utf8')), examples);
    expect(config.store.driver).toBe('postgres');
    expect(config.bus.driver).toBe('nats');
    expect(config.models.map((m) => m.id)).toEqual(['fraud', 'churn']);
    expect(config.models.every((m) => m.versions.every((v) => 'upstream' in v))).toBe(true);
  });
});

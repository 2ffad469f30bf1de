import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoModels, packageRoot } from './demo.js';

describe('demoModels', () => {
  it('names both folders when a copied model folder keeps the original id', () => {
    const root = mkdtempSync(join(tmpdir(), 'aisoc-demo-'));
    mkdirSync(join(root, 'models'));
    const original = join(packageRoot(), 'models', 'breast-cancer');
    cpSync(original, join(root, 'models', 'breast-cancer'), { recursive: true });
    expect(demoModels(root).map((m) => m.id)).toEqual(['breast-cancer']);
    cpSync(original, join(root, 'models', 'breast-cancer-v2'), { recursive: true });
    expect(() => demoModels(root)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(
          /duplicate model id "breast-cancer": .*breast-cancer-v2\/model\.json and .*breast-cancer\/model\.json/,
        ),
      }),
    );
  });
});

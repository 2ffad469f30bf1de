import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { createVersionCatalog, configuredVersions } from '../gateway/index.js';
import {
  createAdmission,
  createRegistry,
  type Registry,
  type RegistryDatabase,
} from '../registry/index.js';
import { scan } from '../scan/index.js';
import { loadOnnxModel } from '../serve/index.js';
import { createStore, type Store } from '../store/index.js';
import { packageRoot } from './demo.js';
import { createServingCatalog, type LoadedModel } from './serving-catalog.js';

describe('serving catalogue over a real registry (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisoc-serving-'));
  const demo = join(packageRoot(), 'models', 'breast-cancer', 'model.onnx');
  const audit: Record<string, unknown>[] = [];
  const loads: string[] = [];
  const { models } = parseConfig({
    models: [{ id: 'bc', versions: [{ version: '1', upstream: 'http://127.0.0.1:9' }] }],
  });
  const catalog = createVersionCatalog(configuredVersions(models, new Map()));
  let store: Store;
  let registry: Registry;
  let serving: ReturnType<typeof createServingCatalog>;

  async function approved(version: string, files: string[]) {
    const root = join(dir, version);
    mkdirSync(root);
    for (const f of files) copyFileSync(demo, join(root, f));
    await registry.registerVersion({ model: 'bc', version, location: root }, 'test');
    await registry.approve('bc', version, 'test', 'review');
  }

  beforeAll(async () => {
    store = await createStore({ driver: 'sqlite', path: join(dir, 'aisoc.db') });
    await store.migrate();
    registry = createRegistry({
      db: store.db.withTables<RegistryDatabase>(),
      audit: async () => undefined,
      admission: createAdmission({
        scan,
        trust: { kind: 'keys', keys: [] },
        requireSignature: false,
      }),
    });
    serving = createServingCatalog({
      models,
      catalog,
      registry,
      load: async (file, digest): Promise<LoadedModel> => {
        loads.push(file);
        return loadOnnxModel(file, { expectedDigest: digest });
      },
      audit: async (entry) => void audit.push(entry),
      drainMs: 10,
    });
    await registry.registerModel({ name: 'bc', owner: 'ml' }, 'test');
  });
  afterAll(async () => {
    await serving.close();
    await store.close();
  });

  it('loads a version once however many pins ask for it at the same time', async () => {
    await approved('2', ['model.onnx']);
    expect(catalog.get('bc', '2')).toBeUndefined();
    const answers = await Promise.all([serving.checkPin('bc', '2'), serving.checkPin('bc', '2')]);
    expect(answers).toEqual([null, null]);
    expect(loads).toEqual([join(dir, '2', 'model.onnx')]);
    const served = catalog.get('bc', '2');
    expect(served && 'local' in served && served.local).toBeTruthy();
    expect(await serving.checkPin('bc', '1')).toBeNull(); // configured: nothing to load
  });

  it('records a version it cannot serve and leaves the catalogue as it was', async () => {
    await approved('3', ['a.onnx', 'b.onnx']);
    await expect(serving.checkPin('bc', '3')).rejects.toMatchObject({
      code: 'REGISTRY_VERSION_UNSERVABLE',
      message: expect.stringContaining('bc@3: its artifacts hold 2 .onnx files'),
    });
    expect(catalog.get('bc', '3')).toBeUndefined();
    expect(audit).toContainEqual(
      expect.objectContaining({
        type: 'registry.model_version.load_refused',
        model: 'bc',
        version: '3',
        code: 'REGISTRY_VERSION_UNSERVABLE',
      }),
    );
  });

  it('withdraws registry versions but keeps configured ones', async () => {
    serving.withdraw('bc', '2');
    serving.withdraw('bc', '1');
    expect(catalog.get('bc', '2')).toBeUndefined();
    expect(catalog.get('bc', '1')).toBeDefined();
  });
});

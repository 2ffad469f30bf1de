import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../scan/index.js';
import { createStore, type Store } from '../../store/index.js';
import { createAdmission } from '../admission.js';
import { createRegistry, type Registry } from '../create-registry.js';
import type { RegistryDatabase } from '../schema.js';
import { atlasCatalog, loadAtlasCatalog, type AtlasCatalog } from './atlas-catalog.js';
import { buildInventory } from './inventory.js';
import { assessAsset, renderThreatModel, threatTechniqueIds } from './threat-model.js';

// The MITRE ATLAS data shipped in data/atlas.
const ATLAS = join(import.meta.dirname, '../../../data/atlas/ATLAS.yaml');
const dir = mkdtempSync(join(tmpdir(), 'aisoc-threat-'));
let atlas: AtlasCatalog;
let store: Store;
let registry: Registry;

beforeAll(async () => {
  atlas = await loadAtlasCatalog(ATLAS);
  store = await createStore({ driver: 'sqlite', path: join(dir, 't.db') });
  await store.migrate();
  const admission = createAdmission({
    scan: (p) => scan(p),
    trust: { kind: 'keys', keys: [] },
    requireSignature: false,
  });
  registry = createRegistry({
    db: store.db.withTables<RegistryDatabase>(),
    audit: async () => undefined,
    admission,
  });
  await registry.registerModel(
    { name: 'fraud', owner: 'risk', criticality: 'critical', dataClassification: 'restricted' },
    'a',
  );
  await registry.registerVersion(
    { model: 'fraud', version: '1', upstream: 'http://fraud-v1.internal:8500', files: [] },
    'a',
  );
  await registry.registerDataset(
    { name: 'payments', owner: 'data', dataClassification: 'confidential' },
    'a',
  );
  await registry.registerSnapshot(
    { dataset: 'payments', label: 'w1', files: [], rowCount: 10 },
    'a',
  );
  await registry.recordRun(
    {
      codeRevision: 'git:1',
      inputs: [{ dataset: 'payments', label: 'w1' }],
      outputs: [{ model: 'fraud', version: '1' }],
    },
    'ci',
  );
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('inventory and threat model', () => {
  it('uses only technique ids that exist in the ATLAS data', () => {
    expect(threatTechniqueIds().filter((id) => !atlas.techniques.has(id))).toEqual([]);
  });

  it('lists models, endpoints, datasets and pipelines with owners, criticality and classification', async () => {
    const assets = await buildInventory({
      registry,
      configured: [
        {
          id: 'fraud',
          protocol: 'kserve-v2',
          criticality: 'high',
          versions: [{ version: '1', upstream: 'http://x' }],
        },
      ],
    });
    expect(
      assets.map((a) => `${a.kind}:${a.id}:${a.owner}:${a.criticality}:${a.dataClassification}`),
    ).toEqual([
      'model:fraud:risk:critical:restricted',
      'endpoint:fraud:risk:critical:restricted',
      'dataset:payments:data:medium:confidential',
      'pipeline:training:payments:data:high:confidential',
    ]);
  });

  it('ranks tampering of an unsigned, unapproved model first and names why', async () => {
    const [model] = await buildInventory({ registry, configured: [] });
    const [first] = assessAsset(model!, atlas);
    expect(first!.stride).toBe('Tampering');
    expect(first!.why).toEqual(['unsigned versions', 'no known-good version to roll back to']);
    expect(first!.techniques[0]).toEqual({
      id: 'AML.T0010.003',
      name: 'AI Supply Chain Compromise: Model',
    });
    expect(first!.mitigations.map((m) => m.id)).toContain('AML.M0013');
  });

  it('renders Markdown with a STRIDE table and top risks per asset', async () => {
    const md = renderThreatModel(await buildInventory({ registry, configured: [] }), atlas, {
      top: 2,
    });
    expect(md).toContain('## model `fraud`');
    expect(md).toContain('| Tampering | AML.T0010.003 AI Supply Chain Compromise: Model;');
    expect(md).toContain('AML.T0020 Poison Training Data');
    expect(md.match(/### Top risks/g)).toHaveLength(3);
    expect(md).toContain(`MITRE ATLAS ${atlas.version}`);
  });

  it('fails cleanly on data that is not ATLAS', () => {
    expect(() => atlasCatalog({ matrices: 'nope' })).toThrow(/ATLAS data/);
  });
});

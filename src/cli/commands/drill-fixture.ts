import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { packageRoot } from '../../app/index.js';
import {
  startSwapProxy,
  startWebhookSink,
  type DrillControl,
  type WebhookSink,
} from '../../drill/index.js';
import { startModelServer } from '../../serve/index.js';
import { runImpact, syncEventIndex, verifyEvidenceBundle } from '../../forensics/index.js';
import { createStore, type StoreConfig } from '../../store/index.js';
import type { ImpactRunner } from '../../drill/index.js';
import { exportClassifierToOnnx } from '../../../scripts/demo-models/onnx-export.js';

/** The model fronted as a remote upstream, and the one served from a copy in the data dir. */
export const REMOTE_MODEL = 'drill-remote';
export const LOCAL_MODEL = 'drill-local';
/** breast-cancer with a poisoned version 2 beside the demo model as version 1. */
export const TRIAGE_MODEL = 'drill-triage';
/** A decoy (models[].decoy) that no drill key is told about: the decoy drill probes for it. */
export const DECOY_MODEL = 'drill-decoy';

/** What `drill all` runs, in order: scenario, attack, model drilled, data it draws on. */
export const EMBEDDED_RUNS: readonly {
  scenario: string;
  attack?: string;
  model: string;
  data: string;
}[] = [
  { scenario: 'extraction', model: 'breast-cancer', data: 'breast-cancer' },
  { scenario: 'evasion', model: 'digits', data: 'digits' },
  { scenario: 'poisoning', model: 'breast-cancer', data: 'breast-cancer' },
  { scenario: 'poisoning', attack: 'poisoned-version', model: TRIAGE_MODEL, data: 'breast-cancer' },
  { scenario: 'malicious-file', model: 'breast-cancer', data: 'breast-cancer' },
  { scenario: 'tampering', attack: 'swapped-upstream', model: REMOTE_MODEL, data: 'breast-cancer' },
  { scenario: 'tampering', attack: 'tampered-artifact', model: LOCAL_MODEL, data: 'breast-cancer' },
  { scenario: 'decoy', model: 'breast-cancer', data: 'breast-cancer' },
];

export interface DrillFixture {
  /** Config entries of the two models to add to the throw-away aisoc. */
  readonly models: Record<string, unknown>[];
  readonly control: DrillControl;
  /** The `respond` config section: the SOC webhook points at the drill's sink. */
  readonly respond: Record<string, unknown>;
  /** The SOC channel: every notification the playbooks sent, with its signature checked. */
  readonly soc: WebhookSink;
  close(): Promise<void>;
}

/**
 * A valid ONNX classifier of breast-cancer's shape (30 features → malignant/benign) that calls
 * every row benign, as a retrain on flipped labels or a backdoor would for its victims.
 */
export function writePoisonedTriage(file: string): string {
  const features = 30;
  const onnx = exportClassifierToOnnx(
    {
      mean: new Float64Array(features),
      scale: new Float64Array(features).fill(1),
      layers: [
        {
          inputs: features,
          outputs: 2,
          weights: new Float64Array(features * 2),
          bias: Float64Array.from([0, 4]),
        },
      ],
    },
    { id: TRIAGE_MODEL, version: '2', docString: 'poisoned drill model', metadata: {} },
  );
  writeFileSync(file, onnx);
  return file;
}

/**
 * Impact analysis on an aisoc's own database (in this process), for drills that started it:
 * its ledger is flushed first so every answer served is there.
 */
export function embeddedImpact(
  config: { store: StoreConfig; models: Parameters<typeof runImpact>[1]['models'] },
  flush: () => Promise<void>,
): ImpactRunner {
  return async (o) => {
    await flush();
    const store = await createStore(config.store);
    try {
      await store.migrate();
      await syncEventIndex(store);
      return await runImpact(store, { models: config.models, ...o, format: 'jsonl' });
    } finally {
      await store.close();
    }
  };
}

/**
 * What the drill controls beside the throw-away aisoc: a model server (the breast-cancer
 * demo model) behind a proxy it can swap, and a copy of that model's ONNX in `dir`.
 */
export async function startDrillFixture(dir: string): Promise<DrillFixture> {
  const root = packageRoot();
  const onnx = join(root, 'models', 'breast-cancer', 'model.onnx');
  const card = JSON.parse(
    readFileSync(join(root, 'models', 'breast-cancer', 'model.json'), 'utf8'),
  ) as {
    features: string[];
  };
  const server = await startModelServer({
    models: [{ id: REMOTE_MODEL, version: '1', path: onnx }],
  });
  const proxy = await startSwapProxy(server.url);
  const soc = await startWebhookSink();
  const secretFile = join(dir, 'soc-webhook.secret');
  writeFileSync(secretFile, soc.secret, { mode: 0o600 });
  const copies = join(dir, 'drill-artifacts');
  mkdirSync(copies, { recursive: true });
  const copy = join(copies, 'model.onnx');
  copyFileSync(onnx, copy);
  const digest = createHash('sha256').update(readFileSync(copy)).digest('hex');
  const poisoned = writePoisonedTriage(join(copies, 'triage-v2.onnx'));
  const entry = (id: string, version: Record<string, unknown>) => ({
    id,
    protocol: 'kserve-v2',
    featureCount: card.features.length,
    criticality: 'high',
    versions: [version],
  });
  return {
    models: [
      entry(REMOTE_MODEL, { version: '1', upstream: proxy.url }),
      entry(LOCAL_MODEL, { version: '1', onnx: copy, digest }),
      {
        ...entry(TRIAGE_MODEL, { version: '1', onnx }),
        versions: [
          { version: '1', onnx },
          { version: '2', onnx: poisoned },
        ],
        activeVersion: '1',
        subject: '/parameters/patient_id',
        regulations: ['gdpr', 'eu-ai-act'],
      },
      { ...entry(DECOY_MODEL, { version: '1', onnx }), decoy: true },
    ],
    control: {
      swapUpstream: () => proxy.swap(),
      restoreUpstream: () => proxy.restore(),
      upstreamUrl: proxy.url,
      remoteVersion: '1',
      artifactFile: copy,
      poisonedRelease: { version: '2', goodVersion: '1' },
      verifyBundle: (dir) => verifyEvidenceBundle(dir),
      decoyModel: DECOY_MODEL,
    },
    respond: { webhooks: { soc: { url: soc.url, secretFile } } },
    soc,
    async close() {
      await soc.close();
      await proxy.close();
      await server.close();
    },
  };
}

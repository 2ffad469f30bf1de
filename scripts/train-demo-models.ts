/**
 * Builds the demo data splits and models from the bundled UCI data sets.
 * Run from the repository root: `npx tsx scripts/train-demo-models.ts`.
 * Every step is seeded, so a re-run rewrites identical bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDemoModel } from './demo-models/build-demo-model.js';
import { SPLIT_NAMES, SPLIT_SEED, stratifiedSplit } from './demo-models/dataset.js';
import { DEMO_MODELS, type DemoModelSpec } from './demo-models/demo-specs.js';

function buildOne(root: string, spec: DemoModelSpec): void {
  const dataset = spec.read(root);
  const splits = stratifiedSplit(dataset, SPLIT_SEED);
  const started = performance.now();
  const build = buildDemoModel(spec, dataset, splits);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const dataDir = join(root, 'data', spec.id);
  const modelDir = join(root, 'models', spec.id);
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(modelDir, { recursive: true });
  for (const name of SPLIT_NAMES) writeFileSync(join(dataDir, `${name}.csv`), build.csv[name]);
  writeFileSync(join(modelDir, 'model.onnx'), build.onnx);
  writeFileSync(join(modelDir, 'model.json'), `${JSON.stringify(build.card, null, 2)}\n`);
  console.log(`${spec.id}: trained in ${seconds}s; metrics ${JSON.stringify(build.card.metrics)}`);
}

function main(): void {
  const root = process.cwd();
  for (const spec of DEMO_MODELS) buildOne(root, spec);
}

main();

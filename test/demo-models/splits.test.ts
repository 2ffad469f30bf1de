import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SPLIT_NAMES,
  SPLIT_SEED,
  readBreastCancer,
  readDigits,
  stratifiedSplit,
  toCsv,
} from '../../scripts/demo-models/dataset.js';

describe('demo data splits', () => {
  const datasets = [
    readBreastCancer('data/breast-cancer/source.csv'),
    readDigits('data/digits/source.csv.gz'),
  ];

  it.each(datasets.map((d) => [d.id, d] as const))(
    'regenerates the committed %s splits byte for byte',
    (_id, dataset) => {
      const splits = stratifiedSplit(dataset, SPLIT_SEED);
      for (const name of SPLIT_NAMES) {
        const committed = readFileSync(`data/${dataset.id}/${name}.csv`, 'utf8');
        expect(toCsv(dataset.featureNames, splits[name])).toBe(committed);
      }
    },
  );

  it('puts every source row in exactly one split and keeps the class balance', () => {
    for (const dataset of datasets) {
      const splits = stratifiedSplit(dataset, SPLIT_SEED);
      const sizes = SPLIT_NAMES.map((n) => splits[n].length);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(dataset.rows.length);
      for (let c = 0; c < dataset.classes.length; c += 1) {
        const total = dataset.rows.filter((r) => r.label === c).length;
        const inTrain = splits.train.filter((r) => r.label === c).length;
        expect(Math.abs(inTrain - total * 0.6)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('gives a different split for a different seed', () => {
    const dataset = datasets[0]!;
    const a = stratifiedSplit(dataset, SPLIT_SEED).holdout.map((r) => r.tokens.join());
    const b = stratifiedSplit(dataset, SPLIT_SEED + 1).holdout.map((r) => r.tokens.join());
    expect(a).not.toEqual(b);
  });
});

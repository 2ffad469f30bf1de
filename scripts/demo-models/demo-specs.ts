import { type Dataset, readBreastCancer, readDigits } from './dataset.js';
import type { TrainOptions } from './train-classifier.js';

export interface DemoModelSpec {
  id: string;
  description: string;
  architecture: string;
  read: (root: string) => Dataset;
  train: TrainOptions;
}

/** The demo models. Changing a number here changes the committed model files. */
export const DEMO_MODELS: DemoModelSpec[] = [
  {
    id: 'breast-cancer',
    description: 'Benign/malignant diagnosis from 30 cell-nucleus measurements (UCI WDBC).',
    architecture: 'standardisation → binary logistic regression (30 → 1 logit, as 2-class softmax)',
    read: (root) => readBreastCancer(`${root}/data/breast-cancer/source.csv`),
    train: {
      hidden: [],
      epochs: 200,
      batchSize: 32,
      learningRate: 0.01,
      l2: 1e-3,
      seed: 17,
      referenceClass: true,
    },
  },
  {
    id: 'digits',
    description: 'Handwritten digit 0–9 from an 8x8 grid of pixel counts (UCI optdigits).',
    architecture: 'standardisation → MLP 64 → 32 (ReLU) → 10 → softmax',
    read: (root) => readDigits(`${root}/data/digits/source.csv.gz`),
    train: {
      hidden: [32],
      epochs: 100,
      batchSize: 32,
      learningRate: 0.005,
      l2: 1e-4,
      seed: 80,
      referenceClass: false,
    },
  },
];

/**
 * The one request and answer every target sees: a KServe V2 (Open Inference Protocol) call to
 * the breast-cancer model, 30 features in (the first row of data/breast-cancer/holdout.csv),
 * two class probabilities out.
 */
export const MODEL_ID = 'breast-cancer';
export const INFER_PATH = `/v2/models/${MODEL_ID}/infer`;

const FEATURES = [
  12.45, 15.7, 82.57, 477.1, 0.1278, 0.17, 0.1578, 0.08089, 0.2087, 0.07613, 0.3345, 0.8902, 2.217,
  27.19, 0.00751, 0.03345, 0.03672, 0.01137, 0.02165, 0.005082, 15.47, 23.75, 103.4, 741.6, 0.1791,
  0.5249, 0.5355, 0.1741, 0.3985, 0.1244,
];

export const REQUEST_BODY = JSON.stringify({
  id: 'bench-0001',
  inputs: [{ name: 'input', shape: [1, FEATURES.length], datatype: 'FP32', data: FEATURES }],
});

export const RESPONSE_BODY = JSON.stringify({
  model_name: MODEL_ID,
  model_version: '1',
  id: 'bench-0001',
  outputs: [
    { name: 'probabilities', shape: [1, 2], datatype: 'FP32', data: [0.9187312, 0.0812688] },
    { name: 'label', shape: [1], datatype: 'INT64', data: [0] },
  ],
});

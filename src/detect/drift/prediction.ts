// Reading a model output (one entry of InferenceEvent.outputs) as a predicted value and a
// confidence, across the shapes gateways see: a score, a label, a probability vector, or an
// object with label/score fields.

export interface Prediction {
  value: number | null; // predicted class index or label, or the regression output
  confidence: number | null; // probability of the predicted class, when known
  positiveScore: number | null; // score of class 1 for binary outputs (ROC AUC)
}

const NONE: Prediction = { value: null, confidence: null, positiveScore: null };

function fromVector(v: unknown[]): Prediction {
  if (!v.every((x) => typeof x === 'number' && Number.isFinite(x))) return NONE;
  const xs = v as number[];
  if (xs.length === 1) {
    const s = xs[0]!;
    const isProb = s >= 0 && s <= 1;
    return isProb
      ? { value: s >= 0.5 ? 1 : 0, confidence: Math.max(s, 1 - s), positiveScore: s }
      : { value: s, confidence: null, positiveScore: null };
  }
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return { value: best, confidence: xs[best]!, positiveScore: xs.length === 2 ? xs[1]! : null };
}

function fromObject(o: Record<string, unknown>): Prediction {
  for (const key of ['probabilities', 'probs', 'scores']) {
    if (Array.isArray(o[key])) return fromVector(o[key] as unknown[]);
  }
  const label = o.label ?? o.prediction ?? o.class;
  const score = o.score ?? o.probability ?? o.confidence;
  const value = typeof label === 'number' && Number.isFinite(label) ? label : null;
  const confidence = typeof score === 'number' && Number.isFinite(score) ? score : null;
  return {
    value,
    confidence,
    positiveScore:
      value === 1 ? confidence : value === 0 && confidence !== null ? 1 - confidence : null,
  };
}

/** The prediction in one output entry; nulls when the shape is not understood. */
export function readPrediction(output: unknown): Prediction {
  if (typeof output === 'number')
    return Number.isFinite(output)
      ? { value: output, confidence: null, positiveScore: null }
      : NONE;
  if (Array.isArray(output)) return fromVector(output);
  if (typeof output === 'object' && output !== null)
    return fromObject(output as Record<string, unknown>);
  return NONE;
}

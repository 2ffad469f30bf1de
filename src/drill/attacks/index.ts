/** Attacks against a black-box model and benign traffic, reusable by drills (imports only core). */
export {
  type QueryTarget,
  type QueryResult,
  type RecordedQuery,
  type AttackContext,
  type AttackReport,
  createRecordingTarget,
} from './query-target.js';
export { type Random, createRandom, clip, rangeDistance } from './random.js';
export {
  type Surrogate,
  trainSurrogate,
  surrogateLabel,
  surrogateProbabilities,
  surrogateGradient,
  agreement,
} from './surrogate.js';
export {
  type ExtractionOptions,
  randomExtraction,
  syntheticExtraction,
  knockoffExtraction,
  jacobianExtraction,
} from './extraction-attacks.js';
export {
  type EvasionOptions,
  boundaryAttack,
  hopSkipJump,
  nesAttack,
  randomSearchAttack,
} from './evasion-attacks.js';
export { type BenignOptions, benignQueries } from './benign-traffic.js';

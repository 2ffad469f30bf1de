/** Decoy models: one query from anyone is a high-confidence alert. */
export {
  createDecoyDetector,
  subjectOf,
  type DecoyDetectorOptions,
  type DecoyState,
} from './decoy-detector.js';

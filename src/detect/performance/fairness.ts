// Group fairness lives in core, shared with the registry's validation gate.
export {
  FAIRNESS_GAPS,
  groupFairness,
  type FairnessGap,
  type FairnessReport,
  type GroupedPrediction,
  type GroupMetrics,
} from '../../core/index.js';

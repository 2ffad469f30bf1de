import { createProbeState, probeBytes, type ProbeState } from './probe-state.js';
import type { ExtractionConfig } from './options.js';
import { createPradaState, pradaBytes, type PradaState } from './prada-state.js';
import {
  createSimilarityState,
  similarityBytes,
  type SimilarityState,
} from './similarity-state.js';
import { createStepState, stepBytes, type StepState } from './step-state.js';
import { createWindowState, upgradeWindow, windowBytes, type WindowState } from './window-state.js';

/** Everything kept about one subject (a principal, or a source network). */
export interface SubjectState {
  rows: number;
  prada: PradaState | null;
  similarity: SimilarityState | null;
  probe: ProbeState | null;
  step: StepState | null;
  window: WindowState;
  /** Row count at the last alert of each signal, for the cooldown. */
  lastAlert: Record<string, number>;
  volume: { hour: number; count: number; ewma: number; hours: number };
}

export function createSubjectState(
  config: ExtractionConfig,
  classCount: number,
  featureCount: number,
): SubjectState {
  const { prada, similarity, step } = config;
  // Sketches are the identity up to sketchDim features (see createProjector).
  const dim = Math.min(featureCount, config.sketchDim);
  return {
    rows: 0,
    prada: prada ? createPradaState(classCount, dim, prada.growCap, prada.distanceCap) : null,
    similarity: similarity ? createSimilarityState(dim, similarity.historyCap) : null,
    probe: similarity ? createProbeState(featureCount, similarity.probeHistory) : null,
    step:
      similarity && step
        ? createStepState(featureCount, similarity.historyCap, step.profileCap)
        : null,
    window: createWindowState(config.window, classCount),
    lastAlert: {},
    volume: { hour: -1, count: 0, ewma: 0, hours: 0 },
  };
}

/** A subject from an older checkpoint (no step state, narrower window flags), made current. */
export function upgradeSubject(s: SubjectState): SubjectState {
  if (s.step === undefined) s.step = null;
  s.window = upgradeWindow(s.window);
  return s;
}

export function subjectBytes(s: SubjectState): number {
  return (
    (s.prada ? pradaBytes(s.prada) : 0) +
    (s.similarity ? similarityBytes(s.similarity) : 0) +
    (s.probe ? probeBytes(s.probe) : 0) +
    (s.step ? stepBytes(s.step) : 0) +
    windowBytes(s.window) +
    160
  );
}

/** Counts the row in its event-time hour; returns the finished hour's count vs the baseline. */
export function countVolume(
  s: SubjectState,
  timeMs: number,
): { count: number; baseline: number; hours: number } {
  const hour = Math.floor(timeMs / 3_600_000);
  const v = s.volume;
  if (hour !== v.hour) {
    if (v.hour >= 0) {
      // An EWMA over the principal's own past hours (idle hours count as zero).
      const gap = Math.min(24, Math.max(0, hour - v.hour - 1));
      v.ewma = v.hours === 0 ? v.count : v.ewma * 0.7 ** (gap + 1) + 0.3 * v.count;
      v.hours += 1;
    }
    v.hour = hour;
    v.count = 0;
  }
  v.count += 1;
  return { count: v.count, baseline: v.ewma, hours: v.hours };
}

/** True when `signal` has not alerted for this subject within the cooldown. */
export function offCooldown(s: SubjectState, signal: string, cooldownRows: number): boolean {
  const last = s.lastAlert[signal];
  if (last !== undefined && s.rows - last < cooldownRows) return false;
  s.lastAlert[signal] = s.rows;
  return true;
}

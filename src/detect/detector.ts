import type { Alert, InferenceEvent } from '../core/index.js';

/** A finding before the runner gives it an id and stores it as an Alert. */
export type Finding = Omit<Alert, 'id'>;

/**
 * A detector is a pure function of its state and one event (STYLE.md: detectors are pure).
 * It must use `event.time`, never the wall clock, so replaying a stream reproduces its
 * findings exactly, and its state must stay bounded (report it through `stateSize`).
 */
export interface Detector<State = unknown> {
  readonly name: string; // e.g. 'prada', 'drift.psi'
  readonly description: string;
  /** A fresh state for one model (detectors keep per-principal state inside it). */
  init(): State;
  /** Folds one event into the state and returns any findings (usually none). */
  observe(state: State, event: InferenceEvent): Finding[];
  /** Approximate bytes the state holds, for the memory report. */
  stateSize(state: State): number;
  /** JSON-safe copy of the state for checkpoints, and its inverse. */
  serialize(state: State): unknown;
  deserialize(data: unknown): State;
}

/** How far a drill is: `done` of `total` units, with a short label of the current stage. */
export type DrillTick = (done: number, total: number, label: string) => void;

/**
 * A drill's stages, each with a weight; `at(stage, share)` reports the bar at `share` of that
 * stage. Stages before it count as done.
 */
export function drillStages<S extends string>(
  tick: DrillTick | undefined,
  scenario: string,
  weights: Readonly<Record<S, number>>,
): { at(stage: S, share?: number, detail?: string): void } {
  const names = Object.keys(weights) as S[];
  const total = names.reduce((n, s) => n + weights[s], 0);
  return {
    at(stage, share = 0, detail) {
      if (!tick) return;
      const before = names.slice(0, names.indexOf(stage)).reduce((n, s) => n + weights[s], 0);
      const clamped = Math.min(1, Math.max(0, share));
      tick(before + weights[stage] * clamped, total, `${scenario}: ${detail ?? stage}`);
    },
  };
}

/** Calls `sample` every `everyMs` until stopped (the attack's own loop never waits on it). */
export function every(everyMs: number, sample: () => void): () => void {
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

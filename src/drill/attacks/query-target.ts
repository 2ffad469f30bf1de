/** What an attack can see of a model: a black box that answers rows with scores and labels. */
export interface QueryResult {
  readonly probabilities: number[][];
  readonly labels: number[];
}

export interface QueryTarget {
  query(rows: number[][]): Promise<QueryResult>;
}

/** One answered query, as recorded by `createRecordingTarget`. */
export interface RecordedQuery {
  readonly features: number[];
  readonly probabilities: number[];
  readonly label: number;
}

/** Wraps a target and keeps every row it was asked, in order, with its answer. */
export function createRecordingTarget(
  target: QueryTarget,
): QueryTarget & { readonly log: RecordedQuery[] } {
  const log: RecordedQuery[] = [];
  return {
    log,
    async query(rows) {
      const result = await target.query(rows);
      rows.forEach((features, i) => {
        log.push({
          features: [...features],
          probabilities: result.probabilities[i]!,
          label: result.labels[i]!,
        });
      });
      return result;
    },
  };
}

/** What the attacker is assumed to know: the input schema's ranges and a seed. */
export interface AttackContext {
  readonly featureMin: readonly number[];
  readonly featureMax: readonly number[];
  readonly classCount: number;
  readonly seed: number;
}

/** How an attack went: queries spent and, per attack type, agreement or success. */
export interface AttackReport {
  readonly attack: string;
  readonly queries: number;
  /** Extraction: share of test rows on which the surrogate agrees with the target. */
  readonly agreement?: number;
  /** Evasion: whether a misclassified input was found within the distortion budget. */
  readonly success?: boolean;
  /** Evasion: final L2 distance to the original, in units of the feature ranges. */
  readonly distortion?: number;
}

import type { PolicySnapshot, RateLimitPolicy } from '../core/index.js';
import { inferPath, matchRoute } from '../protocol/index.js';
import type { InferenceRoute } from './protocols.js';
import type { RowLimit } from './row-limits.js';

/** A limit every key shares: a model's or one inference path's (a `rate_limit` with `model`). */
export interface SharedLimit {
  /** The bucket, per action: a limit applied again starts with a full burst. */
  readonly bucket: string;
  readonly policy: RateLimitPolicy;
  readonly describe: string;
}

/**
 * The inference path a route stands for, spelt one way: a model name sent percent-encoded, or
 * a path the action names in another spelling, comes to the same string.
 */
function canonicalPath(route: InferenceRoute): string {
  return inferPath(route.protocol, route.model, route.version);
}

const byEndpoint = new WeakMap<PolicySnapshot, Map<string, RateLimitPolicy>>();

/** The snapshot's endpoint limits by canonical path (worked out once per snapshot). */
function endpointLimits(snapshot: PolicySnapshot): Map<string, RateLimitPolicy> {
  let limits = byEndpoint.get(snapshot);
  if (limits) return limits;
  limits = new Map();
  for (const [path, policy] of snapshot.endpointRateLimits) {
    const route = matchRoute('POST', path);
    // The action service checks the path names an inference route of its model; a path that
    // does not can match no request.
    if (route.kind === 'infer' && route.model === policy.model)
      limits.set(canonicalPath(route), policy);
  }
  byEndpoint.set(snapshot, limits);
  return limits;
}

/** The model- and endpoint-wide limits on a request to `route` (model first). */
export function sharedLimitsFor(snapshot: PolicySnapshot, route: InferenceRoute): SharedLimit[] {
  const limits: SharedLimit[] = [];
  const model = snapshot.modelRateLimits.get(route.model);
  if (model)
    limits.push({
      bucket: `model\u0000${model.actionId}`,
      policy: model,
      describe: `model "${route.model}" is limited by containment action ${model.actionId}`,
    });
  if (snapshot.endpointRateLimits.size > 0) {
    const path = canonicalPath(route);
    const endpoint = endpointLimits(snapshot).get(path);
    if (endpoint)
      limits.push({
        bucket: `endpoint\u0000${endpoint.actionId}`,
        policy: endpoint,
        describe: `endpoint ${path} is limited by containment action ${endpoint.actionId}`,
      });
  }
  return limits;
}

const DAY_S = 86_400;

/** The row limits of shared limits, for `admitRows` beside a key's own. */
export function sharedRowLimits(limits: readonly SharedLimit[]): RowLimit[] {
  return limits.flatMap(({ bucket, policy, describe }) => {
    const rows: RowLimit[] = [
      {
        bucket,
        rowsPerSecond: policy.rowsPerSecond,
        rowBurst: policy.rowBurst,
        describe: `${describe} (${policy.rowsPerSecond} rows/s)`,
        actionId: policy.actionId,
      },
    ];
    if (policy.rowsPerDay !== null)
      rows.push({
        bucket: `${bucket}\u0000day`,
        rowsPerSecond: policy.rowsPerDay / DAY_S,
        rowBurst: policy.rowsPerDay,
        describe: `${describe} (${policy.rowsPerDay} rows/day)`,
        actionId: policy.actionId,
      });
    return rows;
  });
}

/** Why a rate limit's `endpoint` is no inference path of its `model`, or null when it is one. */
export function endpointProblem(model: string, endpoint: string): string | null {
  const route = matchRoute('POST', endpoint);
  if (route.kind !== 'infer')
    return `endpoint ${JSON.stringify(endpoint)} is no inference path (e.g. ${inferPath('kserve-v2', model, null)})`;
  if (route.model !== model)
    return `endpoint ${JSON.stringify(endpoint)} is a path of model "${route.model}", not "${model}"`;
  return null;
}

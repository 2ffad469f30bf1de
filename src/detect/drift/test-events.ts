// Builders for inference events in detect tests and benchmarks (not exported by the module).
import type { InferenceEvent } from '../../core/index.js';

export function makeEvent(
  i: number,
  timeMs: number,
  features: number[][] | null,
  outputs: unknown[] | null = null,
  model = 'bc',
): InferenceEvent {
  return {
    id: `evt_${String(i).padStart(8, '0')}`,
    time: new Date(timeMs).toISOString(),
    requestId: `req_${i}`,
    model,
    modelVersion: '1',
    artifactDigest: null,
    protocol: 'generic-json',
    principal: 'key-1',
    keyId: 'key-1',
    sourceAddress: '127.0.0.1',
    features,
    outputs,
    status: 200,
    outcome: 'ok',
    errorCode: null,
    policyAction: null,
    latencyMs: 1,
  };
}

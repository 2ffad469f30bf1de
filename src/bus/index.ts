/** The event bus: one interface, an in-process implementation and (at scale) NATS JetStream. */
export {
  type Bus,
  type BusErrorListener,
  type BusHandler,
  type BusMessage,
  type DurableSubscribeOptions,
  type Subscription,
} from './bus.js';
export { BusErrorCodes, type BusErrorCode } from './errors.js';
export {
  Subjects,
  STREAM_SUBJECT_ROOTS,
  subjectMatches,
  inferenceSubject,
  partitionPattern,
  modelFromInferenceSubject,
  modelToken,
  modelFromToken,
  deploymentNames,
} from './subjects.js';
export { createMemoryBus, type MemoryBusOptions } from './memory-bus.js';
export { createNatsBus, type NatsBusOptions, NATS_BUS_DEFAULTS } from './nats-bus.js';
export {
  type PolicyAck,
  type PolicyChannel,
  type PolicyChannelOptions,
  type PolicyHandler,
  type PolicyState,
  PolicyStateSchema,
} from './policy-channel.js';
export { createMemoryPolicyChannel } from './memory-policy-channel.js';
export {
  createNatsPolicyChannel,
  type NatsPolicyChannelOptions,
  NATS_POLICY_DEFAULTS,
} from './nats-policy-channel.js';
export {
  type Coordination,
  type Lease,
  type NatsCoordinationOptions,
  createNatsCoordination,
} from './nats-coordination.js';

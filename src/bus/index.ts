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
  modelFromInferenceSubject,
  modelToken,
  modelFromToken,
} from './subjects.js';
export { createMemoryBus, type MemoryBusOptions } from './memory-bus.js';

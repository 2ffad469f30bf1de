/** The event bus: one interface, an in-process implementation and (at scale) NATS JetStream. */
export {
  type Bus,
  type BusHandler,
  type BusMessage,
  type Subscription,
  Subjects,
  subjectMatches,
} from './bus.js';
export { createMemoryBus } from './memory-bus.js';

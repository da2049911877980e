// @agent-harness/observe/testing: for tests of anything that emits or reads telemetry. Not part of
// the production entry point.
export { InMemoryEventStore } from './in-memory-event-store.js';
export { RecordingTelemetrySink } from './recording-telemetry-sink.js';
export { contractInstant, eventStoreContract } from './event-store-contract.js';
export type { EventStoreContractCheck } from './event-store-contract.js';

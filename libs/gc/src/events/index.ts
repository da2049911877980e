// The telemetry events GC emits (drafts for TelemetryEmitter.emit, as observe's builders are).
export {
  GC_EVENT_HOOKS,
  gcAdoptEvent,
  gcDraftEvent,
  gcExpireEvent,
  gcRejectEvent,
  gcRunEvent,
  learnEvent,
} from './gc-events.js';
export type { GcEventHook } from './gc-events.js';

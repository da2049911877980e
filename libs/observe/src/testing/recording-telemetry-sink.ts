import type { TelemetrySink } from '../emitter/telemetry-emitter.js';
import type { TelemetryEventDraft } from '../events/telemetry-event.js';

/** A TelemetrySink for unit tests: keeps every draft it is given, in order. @public */
export class RecordingTelemetrySink implements TelemetrySink {
  readonly events: TelemetryEventDraft[] = [];

  emit(draft: TelemetryEventDraft): void {
    this.events.push(draft);
  }

  /** The drafts of one kind. */
  ofHook(hook: string): TelemetryEventDraft[] {
    return this.events.filter((event) => event.hook === hook);
  }
}

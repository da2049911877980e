// Signal detection: the recurring problems in a window of telemetry.
export { detectSignals } from './detect-signals.js';
export type { DetectSignalsOptions } from './detect-signals.js';
export { ESCALATION_MIN_EVENTS } from './warn-escalation.js';
export { MAX_EXAMPLES, MAX_EXAMPLE_CHARS, MAX_SIGNALS, REMEDIATION_OF, signalId, signalPriority } from './signal.js';

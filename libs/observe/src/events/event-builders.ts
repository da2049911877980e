import type { FailureClass, Grade } from '@agent-harness/core';
import { formatRuleScanSummary, type RuleScanSummary } from './rule-scan-summary.js';
import type { Severity, TelemetryEventDraft } from './telemetry-event.js';

/**
 * One function per event kind Harness emits, so every emitter fills the fields the same way (the
 * table in README.md) and the health report and GC can rely on them. Each returns a draft for
 * `TelemetryEmitter.emit`, stamped with the emitter's clock unless `ts` is given.
 */

interface TaskScope {
  readonly project: string;
  readonly taskId: string;
  /** The agent session, when one is known. */
  readonly sessionId?: string | undefined;
  readonly ts?: string | undefined;
}

/** A task's agent run produced a change (before review): `tool` = agent, `detail` = PR URL. @public */
export function taskImplementedEvent(
  input: TaskScope & { agent?: string | undefined; durationMs?: number | undefined; prUrl?: string | undefined },
): TelemetryEventDraft {
  return {
    ...scope(input),
    hook: 'task_implemented',
    decision: 'complete',
    tool: input.agent,
    durationMs: input.durationMs,
    detail: input.prUrl,
  };
}

/** A task failed: `reason` = its failure class (never parse `detail`, the message). @public */
export function taskFailedEvent(
  input: TaskScope & {
    failureClass: FailureClass;
    message?: string | undefined;
    agent?: string | undefined;
    durationMs?: number | undefined;
  },
): TelemetryEventDraft {
  return {
    ...scope(input),
    hook: 'task_failed',
    decision: 'block',
    reason: input.failureClass,
    detail: input.message,
    tool: input.agent,
    durationMs: input.durationMs,
  };
}

/** One validation command ran: `tool` = command name, pass or block, `content` = output tail. @public */
export function validationEvent(
  input: TaskScope & { command: string; passed: boolean; durationMs: number; output?: string | undefined },
): TelemetryEventDraft {
  return {
    ...scope(input),
    hook: 'validation',
    decision: input.passed ? 'pass' : 'block',
    tool: input.command,
    durationMs: input.durationMs,
    content: input.output,
  };
}

/** A review round ended: pass = approved, warn = changes requested; `detail` = the round (1, 2, …). @public */
export function reviewRoundEvent(
  input: TaskScope & {
    round: number;
    approved: boolean;
    reviewer?: string | undefined;
    summary?: string | undefined;
  },
): TelemetryEventDraft {
  return {
    ...scope(input),
    hook: 'review_round',
    decision: input.approved ? 'pass' : 'warn',
    detail: String(input.round),
    tool: input.reviewer,
    reason: input.summary,
  };
}

/** An agent changed a file: `tool` = the kind of edit (create, modify, delete…), `detail` = path. @public */
export function fileEditEvent(input: TaskScope & { kind: string; path: string }): TelemetryEventDraft {
  return { ...scope(input), hook: 'file_edit', decision: 'pass', tool: input.kind, detail: input.path };
}

/** An operation took longer than it should: `tool` = operation name. @public */
export function slowOperationEvent(input: {
  operation: string;
  durationMs: number;
  project?: string | undefined;
  taskId?: string | undefined;
  detail?: string | undefined;
  ts?: string | undefined;
}): TelemetryEventDraft {
  return {
    ts: input.ts,
    project: input.project,
    taskId: input.taskId,
    hook: 'slow_operation',
    decision: 'warn',
    tool: input.operation,
    durationMs: input.durationMs,
    detail: input.detail,
  };
}

/** A task was graded: `detail` = the grade; A/B pass, C warn, D/F block. @public */
export function qualityGradeEvent(
  input: TaskScope & { grade: Grade; score?: number | undefined },
): TelemetryEventDraft {
  return {
    ...scope(input),
    hook: 'quality_grade',
    decision: input.grade === 'A' || input.grade === 'B' ? 'pass' : input.grade === 'C' ? 'warn' : 'block',
    detail: input.grade,
    reason: input.score === undefined ? undefined : `score=${input.score.toFixed(1)}`,
  };
}

/** A rule scan finished: `sessionId` = scan id, `detail` = JSON summary; pass when clean, else warn. @public */
export function ruleScanEvent(input: {
  project: string;
  scanId: string;
  summary: RuleScanSummary;
  durationMs?: number | undefined;
  ts?: string | undefined;
}): TelemetryEventDraft {
  const found = Object.values(input.summary.violations).reduce((sum, n) => sum + n, 0);
  return {
    ts: input.ts,
    project: input.project,
    sessionId: input.scanId,
    hook: 'rule_scan',
    decision: found === 0 ? 'pass' : 'warn',
    tool: 'rules',
    reason: `violations=${String(found)}`,
    detail: formatRuleScanSummary(input.summary),
    durationMs: input.durationMs,
  };
}

/**
 * One violation of a scan: `tool` = rule id, `reason` = message, `detail` = file:line, `sessionId`
 * = the scan's id; block for critical/high, warn otherwise.
 * @public
 */
export function ruleCheckEvent(input: {
  project: string;
  scanId: string;
  ruleId: string;
  severity: Severity;
  message: string;
  file: string;
  line?: number | undefined;
  ts?: string | undefined;
}): TelemetryEventDraft {
  return {
    ts: input.ts,
    project: input.project,
    sessionId: input.scanId,
    hook: 'rule_check',
    decision: input.severity === 'critical' || input.severity === 'high' ? 'block' : 'warn',
    severity: input.severity,
    tool: input.ruleId,
    reason: input.message,
    detail: input.line === undefined ? input.file : `${input.file}:${String(input.line)}`,
  };
}

function scope(input: TaskScope): Pick<TelemetryEventDraft, 'project' | 'taskId' | 'sessionId' | 'ts'> {
  return { project: input.project, taskId: input.taskId, sessionId: input.sessionId, ts: input.ts };
}

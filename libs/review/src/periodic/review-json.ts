import type { ReviewRunJson } from '@agent-harness/core';
import type { ReviewRun } from './review-store.js';

/** A stored review as the API and `harness review list --json` show it (snake_case, nulls for what is unset). @public */
export function reviewRunJson(run: ReviewRun): ReviewRunJson {
  return {
    id: run.id,
    project: run.project,
    head: run.head,
    previous_head: run.previousHead ?? null,
    strategy: run.strategy,
    agents: [...run.agents],
    status: run.status,
    summary: run.summary,
    error: run.error ?? null,
    note: run.note ?? null,
    cost_usd: run.costUsd ?? null,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    duration_ms: run.durationMs,
    findings: run.findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      title: f.title,
      file: f.file ?? null,
      line: f.line ?? null,
      description: f.description,
      suggestion: f.suggestion ?? null,
    })),
  };
}

import {
  FAILURE_CLASSES,
  TASK_KINDS,
  TASK_STATUSES,
  type TaskDetail,
  type TaskStatus,
  type TaskSummary,
} from '@agent-harness/core';
import { z } from 'zod';

// What the MCP tools say about tasks, the same in both modes: a compact view of the REST API's
// task, without the prompt (up to 100k characters, and the caller wrote it) or internals.

const FINISHED: readonly TaskStatus[] = ['done', 'failed', 'cancelled'];

/** A task in `list_tasks`, and the first part of `task_status`. */
export const taskViewSchema = z.object({
  id: z.string(),
  project: z.string(),
  title: z.string(),
  status: z.enum(TASK_STATUSES),
  finished: z
    .boolean()
    .describe('done, failed or cancelled: the status will not change any more unless a follow-up reopens it'),
  attempt: z.number().int(),
  agent: z.string().nullable().describe('The agent that ran it, else the one asked for'),
  branch: z.string().nullable(),
  pr_url: z.string().nullable(),
  grade: z.string().nullable().describe('A, B, C, D, or F for a failed task; null until it ends'),
  failure_class: z.enum(FAILURE_CLASSES).nullable().describe('Why it failed, as data; null unless failed or cancelled'),
  error: z.string().nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
export type TaskView = z.infer<typeof taskViewSchema>;

/** Everything `task_status` says: the view, what it asked for, its outcome and its status history. */
export const taskStatusSchema = taskViewSchema.extend({
  kind: z.enum(TASK_KINDS),
  issue: z.number().int().nullable(),
  pr: z.number().int().nullable(),
  commit: z.string().nullable(),
  pr_number: z.number().int().nullable(),
  score: z.number().nullable().describe('Quality score 0-100, once finished'),
  review_outcome: z.string().nullable().describe('approved, changes_requested, skipped, disabled or not_needed'),
  validation_retries: z.number().int(),
  review_rounds: z.number().int(),
  tokens: z.object({ input: z.number().int(), output: z.number().int() }),
  cost_usd: z.number().nullable(),
  started_at: z.string().nullable(),
  updated_at: z.string(),
  history: z
    .array(z.object({ at: z.string(), status: z.enum(TASK_STATUSES), reason: z.string().nullable() }))
    .describe('Status changes, oldest first'),
});
export type TaskStatusView = z.infer<typeof taskStatusSchema>;

/** A page of `list_tasks`, newest first. */
export const taskListSchema = z.object({
  tasks: z.array(taskViewSchema),
  total: z.number().int().describe('Tasks matching the filters, beyond this page too'),
});
export type TaskListView = z.infer<typeof taskListSchema>;

/** From the REST API's list entry (`--url` mode). */
export function taskViewOfSummary(t: TaskSummary): TaskView {
  return {
    id: t.id,
    project: t.project,
    title: t.title,
    status: t.status,
    finished: FINISHED.includes(t.status),
    attempt: t.attempt,
    agent: t.agent,
    branch: t.branch,
    pr_url: t.pr_url,
    grade: t.grade,
    failure_class: t.failure_class,
    error: t.error,
    created_at: t.created_at,
    finished_at: t.finished_at,
  };
}

/** From the REST API's task (`--url` mode). */
export function taskStatusOfDetail(t: TaskDetail): TaskStatusView {
  return {
    ...taskViewOfSummary(t),
    kind: t.kind,
    issue: t.issue,
    pr: t.pr,
    commit: t.commit,
    pr_number: t.pr_number,
    score: t.score,
    review_outcome: t.review_outcome,
    validation_retries: t.validation_retries,
    review_rounds: t.review_rounds,
    tokens: { input: t.tokens.input, output: t.tokens.output },
    cost_usd: t.cost_usd,
    started_at: t.started_at,
    updated_at: t.updated_at,
    history: t.history.map((h) => ({ at: h.at, status: h.to, reason: h.reason ?? null })),
  };
}

/** What each unfinished status means, for the text a model reads. */
const STATUS_MEANING: Partial<Record<TaskStatus, string>> = {
  queued: 'waiting for a free slot',
  preparing: 'its worktree is being prepared',
  running: 'the agent is working',
  validating: "the project's checks are running",
  committing: 'its change is being committed and pushed',
  reviewing: 'an independent review is running',
  waiting_ci: 'its pull request is open; Harness waits for its CI (and fixes a failure) before it is done',
  awaiting_approval: 'held until a person approves (approve_task or reject_task)',
};

/** One line per task, as `harness tasks list` prints them. */
export function taskListText(page: TaskListView): string {
  const lines = page.tasks.map((t) => `${t.id}  ${t.status.padEnd(10)} ${t.project}  ${t.title}`);
  return [...lines, `${String(page.tasks.length)} of ${String(page.total)} task(s)`].join('\n');
}

/** The task in a few lines: enough to act on without reading the structured result. */
export function taskStatusText(t: TaskStatusView): string {
  const meaning = STATUS_MEANING[t.status];
  const lines = [
    `task ${t.id} (${t.project}): ${t.title}`,
    `status ${t.status}${meaning === undefined ? '' : ` (${meaning})`} · attempt ${String(t.attempt)}${t.agent === null ? '' : ` · agent ${t.agent}`}`,
  ];
  if (t.branch !== null) lines.push(`branch ${t.branch}${t.commit === null ? '' : ` · commit ${t.commit}`}`);
  if (t.pr_url !== null) lines.push(`pull request ${t.pr_url}`);
  if (t.grade !== null)
    lines.push(
      `grade ${t.grade}${t.score === null ? '' : ` (score ${String(t.score)})`}${t.review_outcome === null ? '' : ` · review ${t.review_outcome}`}`,
    );
  if (t.error !== null) lines.push(`error${t.failure_class === null ? '' : ` (${t.failure_class})`}: ${t.error}`);
  lines.push(`history: ${t.history.map((h) => h.status).join(' → ')}`);
  if (!t.finished) lines.push('not finished yet: call task_status again later');
  return lines.join('\n');
}

import { SANDBOX_MODES, TASK_STATUSES } from '@agent-harness/core';
import { MAX_PROMPT_CHARS } from '@agent-harness/queue';
import type { RestOperationName } from '@agent-harness/app';
import { z } from 'zod';

// The tools' arguments, with the limits and words of their operations' inputs (@agent-harness/app,
// which REST and JSON-RPC check), so both modes refuse the same input before anything runs
// (operation-tools.spec.ts holds them to it). Unknown keys are refused, not dropped.

/** Issue and PR numbers, like the API's: SQLite stores them as 32-bit integers. */
const MAX_INT32 = 2_147_483_647;
/** Longest page of `list_tasks`, as `GET /tasks` allows. */
export const MAX_LIST_LIMIT = 200;
export const DEFAULT_LIST_LIMIT = 20;

/**
 * A required or optional string field that names itself in every message. `min` 0 where the
 * operation takes an empty string (it means "not given").
 */
function text(field: string, max: number, what: string, min = 1) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`) })
    .min(min, `${field} must not be empty`)
    .max(max, `${field} must be at most ${String(max)} characters`)
    .refine((value) => !value.includes('\0'), `${field} must not contain NUL characters`)
    .describe(what);
}

function positiveInt(field: string, what: string) {
  return z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be a whole number`)
    .min(1, `${field} must be a positive integer`)
    .max(MAX_INT32, `${field} must be at most ${String(MAX_INT32)}`)
    .describe(what);
}

const project = text(
  'project',
  4096,
  'A configured project name or its root path (default: the default project)',
  0,
).optional();
const agentFor = (min: number) =>
  text('agent', 100, 'claude, codex, anthropic-api or auto (default: the configured one)', min).optional();
const modelFor = (min: number) =>
  text('model', 200, "Model name passed to the agent (default: the agent's default_model)", min).optional();
const taskId = text('task_id', 100, 'The task id, or a unique prefix of at least 8 characters');

export const submitTaskInput = z.strictObject({
  prompt: text('prompt', MAX_PROMPT_CHARS, 'What the agent should do').optional(),
  issue: positiveInt('issue', 'A GitHub issue number of the project to work on').optional(),
  pr: positiveInt('pr', 'A pull request number of the project to take further').optional(),
  description: text('description', 500, 'Short title; also the commit message', 0).optional(),
  project,
  agent: agentFor(0),
  model: modelFor(0),
});

export const taskIdInput = z.strictObject({ task_id: taskId });

export const followUpInput = z.strictObject({
  task_id: taskId,
  prompt: text('prompt', MAX_PROMPT_CHARS, 'What the task should do next, on its branch and pull request'),
});

export const rejectInput = z.strictObject({
  task_id: taskId,
  reason: text('reason', 2000, 'Why, said on the task', 0).optional(),
});

export const listTasksInput = z.strictObject({
  status: z
    .enum(TASK_STATUSES, { error: `status must be one of ${TASK_STATUSES.join(', ')}` })
    .optional()
    .describe('Only tasks in this status'),
  project: text('project', 4096, 'Only tasks of this project (its name)', 0).optional(),
  limit: z
    .number({ error: 'limit must be a number' })
    .int('limit must be a whole number')
    .min(1, `limit must be from 1 to ${String(MAX_LIST_LIMIT)}`)
    .max(MAX_LIST_LIMIT, `limit must be from 1 to ${String(MAX_LIST_LIMIT)}`)
    .optional()
    .describe(`At most this many tasks, newest first (default ${String(DEFAULT_LIST_LIMIT)})`),
});

const DAY = /^(\d{4}-\d{2}-\d{2}|today)$/;
const day = (field: string, what: string) =>
  z
    .string({ error: `${field} must be a string` })
    .regex(DAY, `${field} must be a day, YYYY-MM-DD, or "today"`)
    .optional()
    .describe(what);

/** `usage_report`: as `GET /api/usage` takes it (@agent-harness/app's UsageReportInput). */
export const usageReportInput = z.strictObject({
  since: day('since', 'The first spend day counted (default: 6 days before today)'),
  until: day('until', 'The last spend day counted (default: today)'),
  project: z
    .string({ error: 'project must be a string' })
    .min(1, 'project must be 1 to 200 characters')
    .max(200, 'project must be 1 to 200 characters')
    .refine((value) => !value.includes('\0'), 'project must not contain NUL characters')
    .optional()
    .describe('Only this project (its name)'),
});

export const runAgentInput = z.strictObject({
  prompt: text('prompt', MAX_PROMPT_CHARS, 'What the agent should do'),
  project: text(
    'project',
    4096,
    'A configured project name, or a directory inside the one harness mcp-server runs in (default: that directory)',
  ).optional(),
  agent: agentFor(1),
  model: modelFor(1),
  sandbox_mode: z
    .enum(SANDBOX_MODES, { error: `sandbox_mode must be one of ${SANDBOX_MODES.join(', ')}` })
    .optional()
    .describe('At most as wide as the configured [agents] sandbox_mode (the default)'),
});

/**
 * The tools that are operations of @agent-harness/app: each one's operation and its arguments, a
 * subset of the operation's input checked with the same limits and words (operation-tools.spec.ts).
 */
export const OPERATION_TOOLS = {
  submit_task: { operation: 'task_submit', input: submitTaskInput },
  task_status: { operation: 'task_get', input: taskIdInput },
  list_tasks: { operation: 'task_list', input: listTasksInput },
  cancel_task: { operation: 'task_cancel', input: taskIdInput },
  follow_up_task: { operation: 'task_follow_up', input: followUpInput },
  approve_task: { operation: 'task_approve', input: taskIdInput },
  reject_task: { operation: 'task_reject', input: rejectInput },
  usage_report: { operation: 'usage_report', input: usageReportInput },
} as const satisfies Record<string, { operation: RestOperationName; input: z.ZodObject }>;

export type SubmitTaskInput = z.infer<typeof submitTaskInput>;
export type ListTasksInput = z.infer<typeof listTasksInput>;
export type RunAgentInput = z.infer<typeof runAgentInput>;

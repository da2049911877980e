import type {
  StoredTaskEvent,
  Task,
  TaskChanges,
  TaskKind,
  TaskLoop,
  TaskOrigin,
  TaskSeed,
  TaskStatus,
} from '@agent-harness/queue';
import type { TaskEventRow, TaskRow } from './task.entity.js';

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

export function taskFromRow(row: TaskRow): Task {
  return {
    id: row.id,
    project: row.project,
    kind: row.kind as TaskKind,
    prompt: orUndefined(row.prompt),
    issue: orUndefined(row.issue),
    pr: orUndefined(row.pr),
    description: orUndefined(row.description),
    agent: orUndefined(row.agent),
    model: orUndefined(row.model),
    headBranch: orUndefined(row.head_branch),
    seed: row.seed === null ? undefined : (JSON.parse(row.seed) as TaskSeed),
    origin: row.origin === null ? undefined : (JSON.parse(row.origin) as TaskOrigin),
    loop: row.loop === null ? undefined : (JSON.parse(row.loop) as TaskLoop),
    status: row.status as TaskStatus,
    attempt: row.attempt,
    notBefore: orUndefined(row.not_before),
    branch: orUndefined(row.branch),
    worktree: orUndefined(row.worktree),
    commit: orUndefined(row.commit_sha),
    agentUsed: orUndefined(row.agent_used),
    sessionId: orUndefined(row.session_id),
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    validationRetries: row.validation_retries,
    prNumber: orUndefined(row.pr_number),
    prUrl: orUndefined(row.pr_url),
    reviewRounds: row.review_rounds,
    reviewOutcome: orUndefined(row.review_outcome) as Task['reviewOutcome'],
    checkpoint: orUndefined(row.checkpoint) as Task['checkpoint'],
    complexity: orUndefined(row.complexity) as Task['complexity'],
    leaseOwner: orUndefined(row.lease_owner),
    leaseExpiresAt: orUndefined(row.lease_expires_at),
    failureClass: orUndefined(row.failure_class) as Task['failureClass'],
    grade: orUndefined(row.grade) as Task['grade'],
    score: orUndefined(row.score),
    costUsd: orUndefined(row.cost_usd),
    error: orUndefined(row.error),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: orUndefined(row.started_at),
    finishedAt: orUndefined(row.finished_at),
    version: row.version,
  };
}

export function rowFromTask(task: Task): TaskRow {
  return { ...rowChanges(task), id: task.id, created_at: task.createdAt, version: task.version } as TaskRow;
}

/** The columns a set of changes touches (only the keys present in `changes`). */
export function rowChanges(changes: TaskChanges): Partial<TaskRow> {
  // `seed`, `origin` and `loop` are JSON: written below.
  const columns: Record<Exclude<keyof TaskChanges, 'seed' | 'origin' | 'loop'>, keyof TaskRow> = {
    project: 'project',
    kind: 'kind',
    prompt: 'prompt',
    issue: 'issue',
    pr: 'pr',
    description: 'description',
    agent: 'agent',
    model: 'model',
    headBranch: 'head_branch',
    status: 'status',
    attempt: 'attempt',
    notBefore: 'not_before',
    branch: 'branch',
    worktree: 'worktree',
    commit: 'commit_sha',
    agentUsed: 'agent_used',
    sessionId: 'session_id',
    inputTokens: 'input_tokens',
    outputTokens: 'output_tokens',
    validationRetries: 'validation_retries',
    prNumber: 'pr_number',
    prUrl: 'pr_url',
    reviewRounds: 'review_rounds',
    reviewOutcome: 'review_outcome',
    checkpoint: 'checkpoint',
    complexity: 'complexity',
    leaseOwner: 'lease_owner',
    leaseExpiresAt: 'lease_expires_at',
    failureClass: 'failure_class',
    grade: 'grade',
    score: 'score',
    costUsd: 'cost_usd',
    error: 'error',
    updatedAt: 'updated_at',
    startedAt: 'started_at',
    finishedAt: 'finished_at',
  };
  const row: Partial<Record<keyof TaskRow, unknown>> = {};
  for (const [key, column] of Object.entries(columns)) {
    if (key in changes) row[column] = orNull((changes as Record<string, unknown>)[key]);
  }
  if ('seed' in changes) row.seed = changes.seed === undefined ? null : JSON.stringify(changes.seed);
  if ('origin' in changes) row.origin = changes.origin === undefined ? null : JSON.stringify(changes.origin);
  if ('loop' in changes) row.loop = changes.loop === undefined ? null : JSON.stringify(changes.loop);
  return row as Partial<TaskRow>;
}

export function eventFromRow(row: TaskEventRow): StoredTaskEvent {
  return {
    taskId: row.task_id,
    seq: row.seq,
    kind: row.kind as StoredTaskEvent['kind'],
    data: JSON.parse(row.data) as unknown,
    createdAt: row.created_at,
  };
}

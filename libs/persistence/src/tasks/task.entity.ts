import { EntitySchema } from 'typeorm';

/** A `tasks` row. Persistence-only: the domain sees `Task` through the mapper. */
export interface TaskRow {
  id: string;
  project: string;
  kind: string;
  prompt: string | null;
  issue: number | null;
  pr: number | null;
  description: string | null;
  agent: string | null;
  model: string | null;
  head_branch: string | null;
  /** The TaskSeed as JSON. */
  seed: string | null;
  /** The TaskOrigin as JSON. */
  origin: string | null;
  /** The TaskLoop as JSON. */
  loop: string | null;
  status: string;
  attempt: number;
  not_before: string | null;
  branch: string | null;
  worktree: string | null;
  commit_sha: string | null;
  agent_used: string | null;
  session_id: string | null;
  input_tokens: number;
  output_tokens: number;
  validation_retries: number;
  pr_number: number | null;
  pr_url: string | null;
  review_rounds: number;
  review_outcome: string | null;
  checkpoint: string | null;
  complexity: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  /** When someone asked the server running it to cancel it (outside the task's state: no version). */
  cancel_requested_at: string | null;
  failure_class: string | null;
  /** The last event number handed out for this task: events are numbered from the row. */
  last_event_seq?: number;
  grade: string | null;
  score: number | null;
  cost_usd: number | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  version: number;
}

/** A `task_events` row. */
export interface TaskEventRow {
  task_id: string;
  seq: number;
  kind: string;
  data: string;
  created_at: string;
}

const text = (nullable = true) => ({ type: 'text' as const, nullable });
const varchar = (nullable = true) => ({ type: 'varchar' as const, nullable });
const integer = (nullable = true) => ({ type: 'integer' as const, nullable });

export const TaskEntity = new EntitySchema<TaskRow>({
  name: 'TaskRow',
  tableName: 'tasks',
  columns: {
    id: { type: 'varchar', primary: true },
    project: varchar(false),
    kind: varchar(false),
    prompt: text(),
    issue: integer(),
    pr: integer(),
    description: varchar(),
    agent: varchar(),
    model: varchar(),
    head_branch: varchar(),
    seed: text(),
    origin: text(),
    loop: text(),
    status: varchar(false),
    attempt: integer(false),
    not_before: varchar(),
    branch: varchar(),
    worktree: varchar(),
    commit_sha: varchar(),
    agent_used: varchar(),
    session_id: varchar(),
    input_tokens: integer(false),
    output_tokens: integer(false),
    validation_retries: integer(false),
    pr_number: integer(),
    pr_url: varchar(),
    review_rounds: integer(false),
    review_outcome: varchar(),
    checkpoint: varchar(),
    complexity: varchar(),
    lease_owner: varchar(),
    lease_expires_at: varchar(),
    cancel_requested_at: varchar(),
    failure_class: varchar(),
    last_event_seq: { type: 'integer', default: 0 },
    grade: varchar(),
    score: integer(),
    cost_usd: { type: 'real', nullable: true },
    error: text(),
    created_at: varchar(false),
    updated_at: varchar(false),
    started_at: varchar(),
    finished_at: varchar(),
    version: integer(false),
  },
});

export const TaskEventEntity = new EntitySchema<TaskEventRow>({
  name: 'TaskEventRow',
  tableName: 'task_events',
  columns: {
    task_id: { type: 'varchar', primary: true },
    seq: { type: 'integer', primary: true },
    kind: varchar(false),
    data: text(false),
    created_at: varchar(false),
  },
});

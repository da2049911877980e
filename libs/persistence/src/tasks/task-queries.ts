import {
  LISTING_LEADING_SPACE,
  TASK_SEARCH_CHARS,
  type TaskKind,
  type TaskListing,
  type TaskListPosition,
  type TaskStatus,
} from '@agent-harness/queue';
import type { DataSource } from 'typeorm';
import { sqlRowArrays, sqlRows } from '../sql.js';
import type { TaskRow } from './task.entity.js';

interface Where {
  readonly sql: string;
  readonly params: unknown[];
}

/** `WHERE` for `task_counts` (or `tasks`): the columns both share. */
export function taskCountsWhere(filter: {
  readonly status?: TaskStatus | undefined;
  readonly project?: string | undefined;
}): Where {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.status !== undefined) {
    clauses.push('status = ?');
    params.push(filter.status);
  }
  if (filter.project !== undefined) {
    clauses.push('project = ?');
    params.push(filter.project);
  }
  return { sql: clauses.length === 0 ? '' : ` WHERE ${clauses.join(' AND ')}`, params };
}

/**
 * `WHERE` clauses of the task list's filters that `task_counts` cannot answer: the agent, and words
 * of the title (its description or the start of its prompt; LIKE with its wildcards escaped, ASCII
 * case folded by LOWER on both engines).
 */
export function taskSearchClauses(filter: {
  readonly agent?: string | undefined;
  readonly search?: string | undefined;
}): Where {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.agent !== undefined) {
    clauses.push('COALESCE(agent_used, agent) = ?');
    params.push(filter.agent);
  }
  if (filter.search !== undefined) {
    const pattern = `%${filter.search.replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    clauses.push(
      `(LOWER(COALESCE(description, '')) LIKE ? ESCAPE '\\' OR LOWER(SUBSTR(COALESCE(prompt, ''), 1, ${String(TASK_SEARCH_CHARS)})) LIKE ? ESCAPE '\\')`,
    );
    params.push(pattern, pattern);
  }
  return { sql: clauses.join(' AND '), params };
}

export interface TaskSelection {
  readonly status?: TaskStatus | undefined;
  readonly statuses?: readonly TaskStatus[] | undefined;
  readonly project?: string | undefined;
  readonly agent?: string | undefined;
  readonly search?: string | undefined;
  /** Keyset: only rows after this one in the chosen order. */
  readonly after?: TaskListPosition | undefined;
  readonly newestFirst: boolean;
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
}

/**
 * Task rows in list order (`created_at`, then `id`), as one statement the indexes ending in
 * `(created_at, id)` answer without a sort. Plain SQL: a prepared statement, no entity hydration
 * (these are the hot read paths).
 */
export async function selectTasks(dataSource: DataSource, selection: TaskSelection): Promise<TaskRow[]> {
  const { sql, params } = selectStatement('*', selection);
  return await sqlRows<TaskRow>(dataSource, sql, params);
}

/**
 * `selectTasks`, as listings: only their columns, the prompt cut in SQL as `taskListing` cuts it,
 * read as arrays (a list page reads 51 rows; whole issue bodies, then an object per row, were most
 * of what it allocated, and the garbage collector's pauses the tail of its latency).
 */
export async function selectListings(dataSource: DataSource, selection: TaskSelection): Promise<TaskListing[]> {
  const { sql, params } = selectStatement(LISTING_COLUMNS, selection);
  return (await sqlRowArrays(dataSource, sql, params)).map(listingFromValues);
}

/** A listing's columns, in the order `listingFromValues` reads them. */
const LISTING_COLUMNS = [
  'id',
  'project',
  'kind',
  `SUBSTR(LTRIM(prompt, '${LISTING_LEADING_SPACE}'), 1, ${String(TASK_SEARCH_CHARS)})`,
  'issue',
  'pr',
  'description',
  'agent',
  'agent_used',
  'status',
  'attempt',
  'branch',
  'commit_sha',
  'pr_number',
  'pr_url',
  'grade',
  'error',
  'failure_class',
  'created_at',
  'updated_at',
  'finished_at',
].join(', ');

function listingFromValues(values: readonly unknown[]): TaskListing {
  // The engines answer text columns as strings and integer columns as numbers.
  const text = (at: number): string | undefined => (values[at] === null ? undefined : (values[at] as string));
  const number = (at: number): number | undefined => (values[at] === null ? undefined : Number(values[at]));
  return {
    id: values[0] as string,
    project: values[1] as string,
    kind: values[2] as TaskKind,
    prompt: text(3),
    issue: number(4),
    pr: number(5),
    description: text(6),
    agent: text(7),
    agentUsed: text(8),
    status: values[9] as TaskStatus,
    attempt: Number(values[10]),
    branch: text(11),
    commit: text(12),
    prNumber: number(13),
    prUrl: text(14),
    grade: text(15) as TaskListing['grade'],
    error: text(16),
    failureClass: text(17) as TaskListing['failureClass'],
    createdAt: values[18] as string,
    updatedAt: values[19] as string,
    finishedAt: text(20),
  };
}

function selectStatement(columns: string, selection: TaskSelection): { sql: string; params: unknown[] } {
  const { sql: where, params } = taskCountsWhere(selection);
  const clauses = where === '' ? [] : [where.slice(' WHERE '.length)];
  const searched = taskSearchClauses(selection);
  if (searched.sql !== '') {
    clauses.push(searched.sql);
    params.push(...searched.params);
  }
  if (selection.statuses !== undefined) {
    clauses.push(
      selection.statuses.length === 0 ? '1 = 0' : `status IN (${selection.statuses.map(() => '?').join(', ')})`,
    );
    params.push(...selection.statuses);
  }
  const direction = selection.newestFirst ? 'DESC' : 'ASC';
  if (selection.after !== undefined) {
    clauses.push(`(created_at, id) ${selection.newestFirst ? '<' : '>'} (?, ?)`);
    params.push(selection.after.createdAt, selection.after.id);
  }
  let sql = `SELECT ${columns} FROM tasks${clauses.length === 0 ? '' : ` WHERE ${clauses.join(' AND ')}`} ORDER BY created_at ${direction}, id ${direction}`;
  if (selection.limit !== undefined || selection.offset !== undefined) {
    sql += ' LIMIT ? OFFSET ?';
    // No limit: the largest both engines take (PostgreSQL refuses SQLite's -1).
    params.push(selection.limit ?? Number.MAX_SAFE_INTEGER, selection.offset ?? 0);
  }
  return { sql, params };
}

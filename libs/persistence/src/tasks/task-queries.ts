import { LISTING_LEADING_SPACE, TASK_SEARCH_CHARS, type TaskListPosition, type TaskStatus } from '@agent-harness/queue';
import type { DataSource } from 'typeorm';
import { sqlRows } from '../sql.js';
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
  /** Only a listing's columns (see `LISTING_COLUMNS`), not the whole row. */
  readonly listing?: boolean | undefined;
}

/**
 * The columns of a `TaskListing`, its prompt cut as `taskListing` cuts it (a list page reads 50
 * rows: a whole issue body in each was most of the page's cost).
 */
const LISTING_COLUMNS = [
  'id',
  'project',
  'kind',
  `SUBSTR(LTRIM(prompt, '${LISTING_LEADING_SPACE}'), 1, ${String(TASK_SEARCH_CHARS)}) AS prompt`,
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

/**
 * Task rows in list order (`created_at`, then `id`), as one statement the indexes ending in
 * `(created_at, id)` answer without a sort. Plain SQL: a prepared statement, no entity hydration
 * (these are the hot read paths).
 */
export async function selectTasks<Row = TaskRow>(dataSource: DataSource, selection: TaskSelection): Promise<Row[]> {
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
  let sql = `SELECT ${selection.listing === true ? LISTING_COLUMNS : '*'} FROM tasks${clauses.length === 0 ? '' : ` WHERE ${clauses.join(' AND ')}`} ORDER BY created_at ${direction}, id ${direction}`;
  if (selection.limit !== undefined || selection.offset !== undefined) {
    sql += ' LIMIT ? OFFSET ?';
    // No limit: the largest both engines take (PostgreSQL refuses SQLite's -1).
    params.push(selection.limit ?? Number.MAX_SAFE_INTEGER, selection.offset ?? 0);
  }
  return await sqlRows<Row>(dataSource, sql, params);
}

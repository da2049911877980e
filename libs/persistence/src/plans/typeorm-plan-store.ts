import { AppError } from '@agent-harness/core';
import {
  PlanStore,
  checkPlan,
  isHexPrefix,
  planListLimit,
  type ExecPlan,
  type PlanListFilter,
} from '@agent-harness/plans';
import type { DataSource } from 'typeorm';
import { sqlRows, whereEqual } from '../sql.js';

/** An `exec_plans` row as read; integers may come back as text (PostgreSQL). */
interface PlanRow {
  readonly body: string;
  readonly version: number | string;
}

/** The stored plan: the body is everything but the version, which is its own column. */
function planOf(row: PlanRow): ExecPlan {
  const body: unknown = JSON.parse(row.body);
  return checkPlan({ ...(body as Record<string, unknown>), version: Number(row.version) }, 'stored plan');
}

function bodyOf(plan: ExecPlan): string {
  const { version: _version, ...body } = plan;
  return JSON.stringify(body);
}

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/**
 * Exec plans in SQL: `exec_plans` holds each plan as JSON text with its version, `exec_plan_tasks`
 * which plan each linked task belongs to (see the migration). Every write is ONE statement, as in
 * the other stores here (the DataSource shares a single SQLite connection, so a BEGIN from here
 * could nest inside another repository's transaction). The plan row is the record and is written
 * first, guarded by its version; the link rows are rewritten after it and are only an index, so
 * `findByTask` checks what it finds against the plan itself.
 * @public
 */
export class TypeOrmPlanStore extends PlanStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async save(plan: ExecPlan): Promise<ExecPlan> {
    const checked = checkPlan(plan);
    const taskIds = checked.taskLinks.map((l) => l.taskId);
    if (taskIds.length > 0) {
      const claimed = await sqlRows<{ task_id: string; plan_id: string }>(
        this.dataSource,
        `SELECT task_id, plan_id FROM exec_plan_tasks WHERE plan_id <> ? AND task_id IN (${placeholders(taskIds.length)})`,
        [checked.id, ...taskIds],
      );
      const [first] = claimed;
      if (first !== undefined)
        throw new AppError('CONFLICT', `task ${first.task_id} is already linked to plan ${first.plan_id}`);
    }
    const saved: ExecPlan = { ...checked, version: checked.version + 1 };
    const values = [saved.project, saved.status, bodyOf(saved), saved.version, saved.createdAt, saved.updatedAt];
    if (checked.version === 0) {
      const inserted = await sqlRows<unknown>(
        this.dataSource,
        `INSERT INTO exec_plans (project, status, body, version, created_at, updated_at, id)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [...values, saved.id],
      );
      if (inserted.length === 0) throw new AppError('CONFLICT', `plan ${saved.id} already exists`);
    } else {
      // RETURNING tells whether this statement changed the row, whatever else shares the connection.
      const updated = await sqlRows<unknown>(
        this.dataSource,
        `UPDATE exec_plans SET project = ?, status = ?, body = ?, version = ?, created_at = ?, updated_at = ?
         WHERE id = ? AND version = ? RETURNING id`,
        [...values, saved.id, checked.version],
      );
      if (updated.length === 0) {
        const stored = await this.version(saved.id);
        if (stored === undefined) throw new AppError('NOT_FOUND', `no plan ${saved.id}`);
        throw new AppError(
          'CONFLICT',
          `plan ${saved.id} changed meanwhile (version ${String(stored)}, not ${String(checked.version)}): read it again`,
        );
      }
    }
    await sqlRows(
      this.dataSource,
      `DELETE FROM exec_plan_tasks WHERE plan_id = ?${taskIds.length === 0 ? '' : ` AND task_id NOT IN (${placeholders(taskIds.length)})`}`,
      [saved.id, ...taskIds],
    );
    if (taskIds.length > 0)
      await sqlRows(
        this.dataSource,
        `INSERT INTO exec_plan_tasks (task_id, plan_id, milestone) VALUES ${saved.taskLinks.map(() => '(?, ?, ?)').join(', ')}
         ON CONFLICT (task_id) DO NOTHING`,
        saved.taskLinks.flatMap((l) => [l.taskId, saved.id, l.milestone]),
      );
    return saved;
  }

  async get(id: string): Promise<ExecPlan | undefined> {
    const rows = await sqlRows<PlanRow>(this.dataSource, `SELECT body, version FROM exec_plans WHERE id = ?`, [id]);
    const [row] = rows;
    return row === undefined ? undefined : planOf(row);
  }

  async list(filter: PlanListFilter = {}): Promise<ExecPlan[]> {
    const limit = planListLimit(filter.limit);
    const { sql: where, params } = whereEqual({ project: filter.project, status: filter.status });
    const rows = await sqlRows<PlanRow>(
      this.dataSource,
      `SELECT body, version FROM exec_plans ${where} ORDER BY updated_at DESC, id DESC LIMIT ?`,
      [...params, limit],
    );
    return rows.map(planOf);
  }

  async findByTask(taskId: string): Promise<ExecPlan | undefined> {
    const rows = await sqlRows<PlanRow>(
      this.dataSource,
      `SELECT p.body, p.version FROM exec_plan_tasks t JOIN exec_plans p ON p.id = t.plan_id WHERE t.task_id = ?`,
      [taskId],
    );
    const [row] = rows;
    const plan = row === undefined ? undefined : planOf(row);
    // The index is rewritten after the plan: trust it only when the plan agrees.
    return plan?.taskLinks.some((l) => l.taskId === taskId) === true ? plan : undefined;
  }

  async idsWithPrefix(prefix: string, limit: number): Promise<string[]> {
    if (!isHexPrefix(prefix)) return [];
    // A hex prefix holds no LIKE wildcard.
    const rows = await sqlRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM exec_plans WHERE id LIKE ? ORDER BY id LIMIT ?`,
      [`${prefix}%`, planListLimit(limit)],
    );
    return rows.map((row) => row.id);
  }

  private async version(id: string): Promise<number | undefined> {
    const rows = await sqlRows<{ version: number | string }>(
      this.dataSource,
      `SELECT version FROM exec_plans WHERE id = ?`,
      [id],
    );
    const [row] = rows;
    return row === undefined ? undefined : Number(row.version);
  }
}

import { AppError } from '@agent-harness/core';
import {
  ReviewStore,
  reviewListLimit,
  type FindingSeverity,
  type ReviewFinding,
  type ReviewListFilter,
  type ReviewRun,
  type ReviewRunStatus,
  type ReviewStrategy,
} from '@agent-harness/review';
import type { DataSource } from 'typeorm';
import { sqlRows } from '../sql.js';

/** A `review_runs` row. */
interface RunRow {
  id: string;
  project: string;
  head: string;
  previous_head: string | null;
  strategy: string;
  agents: string;
  status: string;
  summary: string;
  error: string | null;
  note: string | null;
  cost_usd: number | null;
  started_at: string;
  finished_at: string;
  duration_ms: number | string;
  finding_count: number | string;
}

/** A `review_findings` row. */
interface FindingRow {
  run_id: string;
  id: string;
  position: number;
  severity: string;
  title: string;
  file: string | null;
  line: number | string | null;
  description: string;
  suggestion: string | null;
}

const RUN_COLUMNS = [
  'id',
  'project',
  'head',
  'previous_head',
  'strategy',
  'agents',
  'status',
  'summary',
  'error',
  'note',
  'cost_usd',
  'started_at',
  'finished_at',
  'duration_ms',
  'finding_count',
] as const;

const FINDING_COLUMNS = [
  'run_id',
  'id',
  'position',
  'severity',
  'title',
  'file',
  'line',
  'description',
  'suggestion',
] as const;

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);
const placeholders = (n: number): string => `(${Array.from({ length: n }, () => '?').join(', ')})`;

/** The agent names of a row: a JSON array of strings, or none when the text is not one. */
function agentsOf(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

function findingFromRow(row: FindingRow): ReviewFinding {
  return {
    id: row.id,
    severity: row.severity as FindingSeverity,
    title: row.title,
    file: orUndefined(row.file),
    // PostgreSQL may answer integers as text.
    line: row.line === null ? undefined : Number(row.line),
    description: row.description,
    suggestion: orUndefined(row.suggestion),
  };
}

function runFromRow(row: RunRow, findings: readonly ReviewFinding[]): ReviewRun {
  return {
    id: row.id,
    project: row.project,
    head: row.head,
    previousHead: orUndefined(row.previous_head),
    strategy: row.strategy as ReviewStrategy,
    agents: agentsOf(row.agents),
    status: row.status as ReviewRunStatus,
    summary: row.summary,
    error: orUndefined(row.error),
    note: orUndefined(row.note),
    costUsd: orUndefined(row.cost_usd),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: Number(row.duration_ms),
    findings,
  };
}

/**
 * Periodic reviews in SQL (`review_runs`, `review_findings`). Every write is one statement: the
 * DataSource shares one connection with the other repositories, so a BEGIN here could nest in
 * another's open transaction. A save writes the findings first (one multi-row INSERT) and the run
 * row last: the run row is what lists and reads see, so a run is never seen without its findings,
 * and a failed run insert takes its findings back.
 * @public
 */
export class TypeOrmReviewStore extends ReviewStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async save(run: ReviewRun): Promise<void> {
    if (new Set(run.findings.map((f) => f.id)).size !== run.findings.length)
      throw new AppError('CONFLICT', `review run ${run.id} has two findings with one id`);
    const existing = await sqlRows<unknown>(this.dataSource, `SELECT id FROM review_runs WHERE id = ?`, [run.id]);
    if (existing.length > 0) throw new AppError('CONFLICT', `review run ${run.id} exists`);
    if (run.findings.length > 0)
      await sqlRows(
        this.dataSource,
        `INSERT INTO review_findings (${FINDING_COLUMNS.join(', ')}) VALUES ${run.findings
          .map(() => placeholders(FINDING_COLUMNS.length))
          .join(', ')}`,
        run.findings.flatMap((f, position) => [
          run.id,
          f.id,
          position,
          f.severity,
          f.title,
          f.file ?? null,
          f.line ?? null,
          f.description,
          f.suggestion ?? null,
        ]),
      );
    const values = [
      run.id,
      run.project,
      run.head,
      run.previousHead ?? null,
      run.strategy,
      JSON.stringify(run.agents),
      run.status,
      run.summary,
      run.error ?? null,
      run.note ?? null,
      run.costUsd ?? null,
      run.startedAt,
      run.finishedAt,
      Math.max(0, Math.round(run.durationMs)),
      run.findings.length,
    ];
    let inserted: unknown[];
    try {
      // Run ids are fresh UUIDs: the check above catches a caller's mistake; RETURNING, what slips past it.
      inserted = await sqlRows(
        this.dataSource,
        `INSERT INTO review_runs (${RUN_COLUMNS.join(', ')}) VALUES ${placeholders(RUN_COLUMNS.length)}
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        values,
      );
    } catch (error) {
      await sqlRows(this.dataSource, `DELETE FROM review_findings WHERE run_id = ?`, [run.id]);
      throw error;
    }
    if (inserted.length === 0) throw new AppError('CONFLICT', `review run ${run.id} exists`);
  }

  async get(id: string): Promise<ReviewRun | undefined> {
    const rows = await sqlRows<RunRow>(this.dataSource, `SELECT * FROM review_runs WHERE id = ?`, [id]);
    const [row] = rows;
    if (row === undefined) return undefined;
    const findings = await this.findingsOf([row.id]);
    return runFromRow(row, findings.get(row.id) ?? []);
  }

  async list(filter: ReviewListFilter): Promise<ReviewRun[]> {
    const limit = reviewListLimit(filter.limit);
    const where = filter.project === undefined ? '' : 'WHERE project = ?';
    const rows = await sqlRows<RunRow>(
      this.dataSource,
      `SELECT * FROM review_runs ${where} ORDER BY started_at DESC, id DESC LIMIT ?`,
      filter.project === undefined ? [limit] : [filter.project, limit],
    );
    if (rows.length === 0) return [];
    const findings = await this.findingsOf(rows.map((r) => r.id));
    return rows.map((row) => runFromRow(row, findings.get(row.id) ?? []));
  }

  async lastReviewedHead(project: string): Promise<string | undefined> {
    const rows = await sqlRows<{ head: string }>(
      this.dataSource,
      `SELECT head FROM review_runs WHERE project = ? AND status = 'done' ORDER BY started_at DESC, id DESC LIMIT 1`,
      [project],
    );
    return rows[0]?.head;
  }

  /** The findings of these runs (at most the listing limit of ids), each run's in saved order. */
  private async findingsOf(runIds: readonly string[]): Promise<Map<string, ReviewFinding[]>> {
    const rows = await sqlRows<FindingRow>(
      this.dataSource,
      `SELECT * FROM review_findings WHERE run_id IN ${placeholders(runIds.length)} ORDER BY run_id, position`,
      [...runIds],
    );
    const byRun = new Map<string, ReviewFinding[]>();
    for (const row of rows) {
      const list = byRun.get(row.run_id) ?? [];
      list.push(findingFromRow(row));
      byRun.set(row.run_id, list);
    }
    return byRun;
  }
}

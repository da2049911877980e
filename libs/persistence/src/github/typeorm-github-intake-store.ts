import {
  GitHubIntakeStore,
  type GitHubReplyRecord,
  type IntakeIssueRecord,
  type IntakeIssueState,
  type WebhookDeliveryRecord,
} from '@agent-harness/github';
import type { DataSource } from 'typeorm';
import { sqlRows } from '../sql.js';

interface DeliveryRow {
  id: string;
  event: string;
  received_at: string;
  task_id: string | null;
}

interface IntakeIssueRow {
  repo: string;
  number: number;
  state: string;
  task_id: string | null;
  reason: string | null;
  issue_updated_at: string;
  updated_at: string;
}

interface ReplyRow {
  task_id: string;
  created_at: string;
  start_posted_at: string | null;
  outcome_posted_at: string | null;
  attempts: number | string;
  last_error: string | null;
}

/** Numbers per `IN (…)` list: far below every engine's bound-parameter limit. */
const IN_CHUNK = 500;
/** The longest error kept for a failed reply. */
const MAX_ERROR_CHARS = 1000;

const orUndefined = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

function issueFromRow(row: IntakeIssueRow): IntakeIssueRecord {
  return {
    repo: row.repo,
    number: row.number,
    state: row.state as IntakeIssueState,
    taskId: orUndefined(row.task_id),
    reason: orUndefined(row.reason),
    issueUpdatedAt: row.issue_updated_at,
    updatedAt: row.updated_at,
  };
}

function replyFromRow(row: ReplyRow): GitHubReplyRecord {
  return {
    taskId: row.task_id,
    createdAt: row.created_at,
    startPostedAt: orUndefined(row.start_posted_at),
    outcomePostedAt: orUndefined(row.outcome_posted_at),
    // PostgreSQL may answer integers as text.
    attempts: Number(row.attempts),
    lastError: orUndefined(row.last_error),
  };
}

/**
 * GitHub intake's memory in SQL. Claims are single statements (`INSERT … ON CONFLICT … RETURNING`),
 * so of two servers or requests racing for a delivery or an issue exactly one wins; the SQL is
 * portable to PostgreSQL.
 * @public
 */
export class TypeOrmGitHubIntakeStore extends GitHubIntakeStore {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async claimDelivery(delivery: WebhookDeliveryRecord): Promise<boolean> {
    const inserted = await sqlRows<unknown>(
      this.dataSource,
      `INSERT INTO github_webhook_deliveries (id, event, received_at, task_id) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [delivery.id, delivery.event, delivery.receivedAt, delivery.taskId ?? null],
    );
    return inserted.length > 0;
  }

  async getDelivery(id: string): Promise<WebhookDeliveryRecord | undefined> {
    const rows = await sqlRows<DeliveryRow>(this.dataSource, 'SELECT * FROM github_webhook_deliveries WHERE id = ?', [
      id,
    ]);
    const [row] = rows;
    return row === undefined
      ? undefined
      : { id: row.id, event: row.event, receivedAt: row.received_at, taskId: orUndefined(row.task_id) };
  }

  async setDeliveryTask(id: string, taskId: string): Promise<void> {
    await sqlRows(this.dataSource, 'UPDATE github_webhook_deliveries SET task_id = ? WHERE id = ?', [taskId, id]);
  }

  async releaseDelivery(id: string): Promise<void> {
    await sqlRows(this.dataSource, 'DELETE FROM github_webhook_deliveries WHERE id = ?', [id]);
  }

  async pruneDeliveries(before: string): Promise<number> {
    const deleted = await sqlRows<unknown>(
      this.dataSource,
      'DELETE FROM github_webhook_deliveries WHERE received_at < ? RETURNING id',
      [before],
    );
    return deleted.length;
  }

  async intakeIssues(repo: string, numbers: readonly number[]): Promise<IntakeIssueRecord[]> {
    const records: IntakeIssueRecord[] = [];
    for (let i = 0; i < numbers.length; i += IN_CHUNK) {
      const chunk = numbers.slice(i, i + IN_CHUNK);
      const rows = await sqlRows<IntakeIssueRow>(
        this.dataSource,
        `SELECT * FROM github_intake_issues WHERE repo = ? AND number IN (${chunk.map(() => '?').join(', ')})`,
        [repo, ...chunk],
      );
      records.push(...rows.map(issueFromRow));
    }
    return records;
  }

  async claimIntakeIssue(claim: {
    repo: string;
    number: number;
    issueUpdatedAt: string;
    now: string;
    staleBefore: string;
  }): Promise<boolean> {
    // New; or ignored and changed since; or claimed by a poll that never finished.
    const claimed = await sqlRows<unknown>(
      this.dataSource,
      `INSERT INTO github_intake_issues (repo, number, state, task_id, reason, issue_updated_at, updated_at)
       VALUES (?, ?, 'claimed', NULL, NULL, ?, ?)
       ON CONFLICT (repo, number) DO UPDATE SET state = 'claimed', reason = NULL,
         issue_updated_at = excluded.issue_updated_at, updated_at = excluded.updated_at
       WHERE (github_intake_issues.state = 'ignored' AND github_intake_issues.issue_updated_at <> excluded.issue_updated_at)
          OR (github_intake_issues.state = 'claimed' AND github_intake_issues.updated_at < ?)
       RETURNING number`,
      [claim.repo, claim.number, claim.issueUpdatedAt, claim.now, claim.staleBefore],
    );
    return claimed.length > 0;
  }

  async settleIntakeIssue(
    repo: string,
    number: number,
    outcome: { state: 'task'; taskId: string } | { state: 'ignored'; reason: string },
    now: string,
  ): Promise<void> {
    await sqlRows(
      this.dataSource,
      'UPDATE github_intake_issues SET state = ?, task_id = ?, reason = ?, updated_at = ? WHERE repo = ? AND number = ?',
      [
        outcome.state,
        outcome.state === 'task' ? outcome.taskId : null,
        outcome.state === 'ignored' ? outcome.reason.slice(0, MAX_ERROR_CHARS) : null,
        now,
        repo,
        number,
      ],
    );
  }

  async releaseIntakeIssue(repo: string, number: number): Promise<void> {
    await sqlRows(
      this.dataSource,
      `DELETE FROM github_intake_issues WHERE repo = ? AND number = ? AND state = 'claimed'`,
      [repo, number],
    );
  }

  async addReply(taskId: string, createdAt: string): Promise<void> {
    await sqlRows(
      this.dataSource,
      `INSERT INTO github_replies (task_id, created_at, attempts) VALUES (?, ?, 0) ON CONFLICT (task_id) DO NOTHING`,
      [taskId, createdAt],
    );
  }

  async getReply(taskId: string): Promise<GitHubReplyRecord | undefined> {
    const rows = await sqlRows<ReplyRow>(this.dataSource, 'SELECT * FROM github_replies WHERE task_id = ?', [taskId]);
    const [row] = rows;
    return row === undefined ? undefined : replyFromRow(row);
  }

  async pendingReplies(maxAttempts: number, limit: number): Promise<GitHubReplyRecord[]> {
    const rows = await sqlRows<ReplyRow>(
      this.dataSource,
      `SELECT * FROM github_replies WHERE outcome_posted_at IS NULL AND attempts < ?
       ORDER BY created_at ASC, task_id ASC LIMIT ?`,
      [maxAttempts, limit],
    );
    return rows.map(replyFromRow);
  }

  async markReplyPosted(taskId: string, which: 'start' | 'outcome', at: string): Promise<void> {
    const column = which === 'start' ? 'start_posted_at' : 'outcome_posted_at';
    await sqlRows(this.dataSource, `UPDATE github_replies SET ${column} = ? WHERE task_id = ?`, [at, taskId]);
  }

  async replyFailed(taskId: string, error: string): Promise<void> {
    await sqlRows(
      this.dataSource,
      'UPDATE github_replies SET attempts = attempts + 1, last_error = ? WHERE task_id = ?',
      [error.slice(0, MAX_ERROR_CHARS), taskId],
    );
  }
}

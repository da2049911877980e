import { randomUUID } from 'node:crypto';
import { AppError, toAppError, type ErrorCode } from '@agent-harness/core';

/** A long call (a GC run, learning) running in the background; `job_status` reads it. */
export interface RpcJob {
  readonly job_id: string;
  readonly kind: string;
  readonly project: string;
  status: 'running' | 'done' | 'failed';
  readonly started_at: string;
  finished_at?: string;
  /** The latest progress lines (the newest last). */
  readonly progress: string[];
  result?: unknown;
  error?: { code: ErrorCode; message: string };
}

/** Whom a job reports to while it runs: the session that started it, if it can be pushed to. */
export interface JobListener {
  progress(job: RpcJob, message: string): void;
  finished(job: RpcJob): void;
}

const MAX_PROGRESS_LINES = 50;
/** Long calls running at once on this server, whoever asked: each runs agents. */
const MAX_RUNNING = 8;
/** Finished jobs are kept this long for `job_status`, and at most this many of them. */
const FINISHED_TTL_MS = 60 * 60 * 1000;
const MAX_FINISHED = 500;

/**
 * The long calls of every session, as jobs: progress goes by notification, and the call is
 * answered at the job's end (or at once with the job id, `async`, then `job/completed` and
 * `job_status`). One job of a kind per project runs at a time: a second `gc_run` of a project is a
 * CONFLICT naming the running job, never a second GC drafting the same signals; at most 8 run at
 * once on a server.
 */
export class RpcJobs {
  private readonly jobs = new Map<string, RpcJob>();
  private readonly running = new Set<Promise<void>>();

  /** Starts a job; `ended` settles (never rejects) when it has finished, either way. */
  start(
    kind: string,
    project: string,
    listener: JobListener | undefined,
    work: (progress: (message: string) => void) => Promise<unknown>,
  ): { job: RpcJob; ended: Promise<void> } {
    this.prune();
    const running = [...this.jobs.values()].filter((j) => j.status === 'running');
    if (running.length >= MAX_RUNNING)
      throw new AppError(
        'QUEUE_FULL',
        `${String(running.length)} long calls are running on this server (at most ${String(MAX_RUNNING)}); retry when one has ended`,
      );
    const busy = running.find((j) => j.kind === kind && j.project === project);
    if (busy !== undefined)
      throw new AppError('CONFLICT', `${kind} of ${project} is already running as job ${busy.job_id}`, {
        details: { job_id: busy.job_id },
      });
    const job: RpcJob = {
      job_id: randomUUID(),
      kind,
      project,
      status: 'running',
      started_at: new Date().toISOString(),
      progress: [],
    };
    this.jobs.set(job.job_id, job);
    const progress = (message: string): void => {
      job.progress.push(message);
      if (job.progress.length > MAX_PROGRESS_LINES) job.progress.shift();
      listener?.progress(job, message);
    };
    const run = (async () => {
      try {
        job.result = await work(progress);
        job.status = 'done';
      } catch (error) {
        const appError = toAppError(error);
        job.error = { code: appError.code, message: appError.message };
        job.status = 'failed';
      }
      job.finished_at = new Date().toISOString();
      listener?.finished(job);
    })();
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return { job, ended: run };
  }

  get(id: string): RpcJob {
    const job = this.jobs.get(id);
    if (job === undefined) throw new AppError('NOT_FOUND', `no job ${id} (finished jobs are kept for an hour)`);
    return job;
  }

  /** Resolves when every running job has finished (shutdown waits for them before the database closes). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private prune(): void {
    const cutoff = Date.now() - FINISHED_TTL_MS;
    const finished = [...this.jobs.values()].filter((j) => j.status !== 'running');
    finished.forEach((job, index) => {
      const old = job.finished_at !== undefined && Date.parse(job.finished_at) < cutoff;
      if (old || finished.length - index > MAX_FINISHED) this.jobs.delete(job.job_id);
    });
  }
}

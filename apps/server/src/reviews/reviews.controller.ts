import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { ReviewListResponse, ReviewRunJson } from '@agent-harness/core';
import type { ReviewRun } from '@agent-harness/review';
import type { Harness } from '@agent-harness/runtime';
import { HARNESS } from '../core/tokens.js';
import { ListReviewsQueryDto } from './list-reviews.dto.js';

/** A stored review as the API shows it (snake_case, nulls for what is unset). */
export function reviewRunJson(run: ReviewRun): ReviewRunJson {
  return {
    id: run.id,
    project: run.project,
    head: run.head,
    previous_head: run.previousHead ?? null,
    strategy: run.strategy,
    agents: [...run.agents],
    status: run.status,
    summary: run.summary,
    error: run.error ?? null,
    note: run.note ?? null,
    cost_usd: run.costUsd ?? null,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    duration_ms: run.durationMs,
    findings: run.findings.map((f) => ({
      id: f.id,
      severity: f.severity,
      title: f.title,
      file: f.file ?? null,
      line: f.line ?? null,
      description: f.description,
      suggestion: f.suggestion ?? null,
    })),
  };
}

/** The periodic whole-repo reviews and their findings (`harness review list` reads the same store). */
@Controller('api/reviews')
export class ReviewsController {
  constructor(@Inject(HARNESS) private readonly harness: Harness) {}

  /** Newest first, each run with its findings. */
  @Get()
  async list(@Query() query: ListReviewsQueryDto): Promise<ReviewListResponse> {
    const runs = await this.harness.reviews.list({ project: query.project, limit: query.limit });
    return { reviews: runs.map(reviewRunJson) };
  }
}

import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { ReviewListResponse } from '@agent-harness/core';
import { reviewRunJson } from '@agent-harness/review';
import type { Harness } from '@agent-harness/runtime';
import { HARNESS } from '../core/tokens.js';
import { ListReviewsQueryDto } from './list-reviews.dto.js';

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

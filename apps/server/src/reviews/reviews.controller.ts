import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ReviewListInput, type Operations } from '@agent-harness/app';
import type { ReviewListResponse } from '@agent-harness/core';
import { OPERATIONS } from '../core/tokens.js';

/** The periodic whole-repo reviews and their findings (`harness review list` reads the same store). */
@Controller('api/reviews')
export class ReviewsController {
  constructor(@Inject(OPERATIONS) private readonly operations: Operations) {}

  /** Newest first, each run with its findings: the `review_list` operation. */
  @Get()
  list(@Query() query: ReviewListInput): Promise<ReviewListResponse> {
    return this.operations.review_list(query);
  }
}

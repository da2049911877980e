import type { ReviewListQuery } from '@agent-harness/core';
import { MAX_REVIEW_LIST_LIMIT } from '@agent-harness/review';
import { IsString, Length } from 'class-validator';
import { Given, IntInRange, NoNulBytes, QueryInt } from '../input/input-rules.js';

/** `review_list` (`GET /api/reviews?project=&limit=`). */
export class ReviewListInput implements ReviewListQuery {
  /** A project name (as `harness review list` and the dashboard show it). */
  @Given()
  @IsString()
  @Length(1, 200, { message: 'project must be 1 to 200 characters' })
  @NoNulBytes()
  project?: string | undefined;

  @Given()
  @QueryInt()
  @IntInRange(1, MAX_REVIEW_LIST_LIMIT, `limit must be an integer from 1 to ${String(MAX_REVIEW_LIST_LIMIT)}`)
  limit?: number | undefined;
}

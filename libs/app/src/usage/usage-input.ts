import type { UsageQueryJson } from '@agent-harness/core';
import { IsString, Length, Matches } from 'class-validator';
import { Given, NoNulBytes } from '../input/input-rules.js';

const DAY = /^(\d{4}-\d{2}-\d{2}|today)$/;
const DAY_MESSAGE = (what: string): string => `${what} must be a day, YYYY-MM-DD, or "today"`;

/** `usage_report` (`GET /api/usage?since=&until=&project=`). */
export class UsageReportInput implements UsageQueryJson {
  /** The first spend day counted (default: 6 days before today). */
  @Given()
  @IsString()
  @Matches(DAY, { message: DAY_MESSAGE('since') })
  since?: string | undefined;

  /** The last spend day counted (default: today). */
  @Given()
  @IsString()
  @Matches(DAY, { message: DAY_MESSAGE('until') })
  until?: string | undefined;

  @Given()
  @IsString()
  @Length(1, 200, { message: 'project must be 1 to 200 characters' })
  @NoNulBytes()
  project?: string | undefined;
}

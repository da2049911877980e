import { DRAFT_STATUSES, type DraftStatus } from '@agent-harness/gc';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { Given, IntInRange, NoNulBytes } from '../input/input-rules.js';
import { ProjectInput } from '../input/project-input.js';

const DRAFT_ID = /^[0-9a-f]{8,12}$/;

/** `gc_adopt`. */
export class DraftIdInput {
  /** A draft's id or its 8-character prefix. */
  @IsString()
  @Matches(DRAFT_ID, { message: 'draft_id must be a draft id (8 to 12 hex characters)' })
  draft_id!: string;
}

/** `gc_reject`. */
export class DraftRejectInput extends DraftIdInput {
  @Given()
  @IsString()
  @MaxLength(2000)
  @NoNulBytes()
  reason?: string | undefined;
}

/** `gc_drafts`. */
export class DraftListInput extends ProjectInput {
  @Given()
  @IsIn([...DRAFT_STATUSES], { message: `status must be one of ${DRAFT_STATUSES.join(', ')}` })
  status?: DraftStatus | undefined;

  @Given()
  @IntInRange(1, 1000, 'limit must be an integer from 1 to 1000')
  limit?: number | undefined;
}

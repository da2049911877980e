// The drafts area of @agent-harness/gc: ids, the index port, draft files and the Drafts facade.
export { draftBranch, draftShortId, isDraftId, isDraftShortId, newDraftId } from './draft-id.js';
export {
  DEFAULT_DRAFT_LIST_LIMIT,
  DraftIndex,
  MAX_DRAFT_LIST_LIMIT,
  draftIndexEntry,
  draftListLimit,
} from './draft-index.js';
export type { DraftIndexEntry, DraftListFilter, DraftStatusPatch } from './draft-index.js';
export { checkDraft } from './draft-shape.js';
export { FileDraftStore, MAX_DRAFT_FILE_BYTES } from './file-draft-store.js';
export { Drafts } from './drafts.js';
export type { DraftTransitionOptions, DraftsOptions, NewDraft, ReconcileReport } from './drafts.js';

import { AppError } from '@agent-harness/core';
import type { TelemetrySink } from '@agent-harness/observe';
import { normalizeArtifactPath } from '../artifacts/index.js';
import type { Draft } from '../gc.types.js';
import { draftBranch, draftShortId, type Drafts } from '../drafts/index.js';
import { gcAdoptEvent, gcRejectEvent } from '../events/index.js';
import { adoptPrompt } from '../prompts/index.js';

/**
 * The task that adopts a draft: a prompt task on `harness/gc-<short id>` whose worktree starts with
 * the draft's artifacts (the engine's `TaskSeed`), so they are validated, committed, pushed, opened
 * as a PR and reviewed like any change, and never written into the user's checkout.
 * @public
 */
export interface AdoptionTaskRequest {
  readonly kind: 'prompt';
  readonly project: string;
  readonly prompt: string;
  readonly description: string;
  readonly headBranch: string;
  readonly seed: {
    readonly files: readonly { readonly path: string; readonly content: string; readonly executable?: boolean }[];
    readonly patches: readonly string[];
  };
}

/** @public */
export interface DraftDecisionsDeps {
  readonly drafts: Drafts;
  /** Queues the adoption task (the engine's submit); answers its id. */
  readonly submit: (request: AdoptionTaskRequest) => Promise<{ readonly id: string }>;
  readonly telemetry?: TelemetrySink | undefined;
}

/** The task request that adopts `draft`. @public */
export function adoptionTask(draft: Draft): AdoptionTaskRequest {
  const files: { path: string; content: string; executable?: boolean }[] = [];
  const patches: string[] = [];
  for (const artifact of draft.artifacts) {
    // Checked again here: a draft file may have been edited by hand since it was made.
    const path = normalizeArtifactPath(artifact.path);
    if (!path.ok)
      throw new AppError(
        'INVALID_ARGUMENT',
        `draft ${draft.id}: artifact ${JSON.stringify(artifact.path)} ${path.error}`,
      );
    if (artifact.kind === 'patch') patches.push(artifact.content);
    else files.push({ path: path.value, content: artifact.content, executable: artifact.kind === 'guard' });
  }
  return {
    kind: 'prompt',
    project: draft.project,
    prompt: adoptPrompt(draft),
    description: `GC draft ${draftShortId(draft.id)}: ${draft.signal.type} (${draft.signal.key})`.slice(0, 500),
    headBranch: draftBranch(draft.id),
    seed: { files, patches },
  };
}

/**
 * Adopt and reject, both recorded as events. Adopting claims the draft first (pending → adopted,
 * decided by the index: of two adopts exactly one wins), then queues its task; when the queue
 * refuses, the draft goes back to pending and the error is the caller's.
 * @public
 */
export class DraftDecisions {
  constructor(private readonly deps: DraftDecisionsDeps) {}

  async adopt(id: string): Promise<{ readonly draft: Draft; readonly taskId: string }> {
    const { drafts } = this.deps;
    const draft = await drafts.get(id);
    if (draft.status !== 'pending')
      throw new AppError(
        'CONFLICT',
        `draft ${draft.id} is ${draft.status}${draft.taskId === undefined ? '' : ` (task ${draft.taskId})`}, not pending`,
      );
    if (draft.artifacts.length === 0)
      throw new AppError(
        'INVALID_ARGUMENT',
        `draft ${draft.id} has no artifacts to adopt (its agent proposed no file): reject it instead`,
      );
    const request = adoptionTask(draft);
    await drafts.transition(draft.id, ['pending'], 'adopted', { reason: 'adoption task queued' });
    let taskId: string;
    try {
      taskId = (await this.deps.submit(request)).id;
    } catch (error) {
      await drafts.transition(draft.id, ['adopted'], 'pending', { reason: 'adoption task refused' });
      throw error;
    }
    const adopted = await drafts.transition(draft.id, ['adopted'], 'adopted', {
      reason: 'adoption task queued',
      taskId,
    });
    this.deps.telemetry?.emit(gcAdoptEvent({ draft: adopted, taskId }));
    return { draft: adopted, taskId };
  }

  async reject(id: string, reason: string | undefined): Promise<Draft> {
    const why = reason?.trim() === '' || reason === undefined ? 'rejected' : reason.trim().slice(0, 1000);
    const rejected = await this.deps.drafts.transition(id, ['pending'], 'rejected', { reason: why });
    this.deps.telemetry?.emit(gcRejectEvent({ draft: rejected, reason: why }));
    return rejected;
  }
}

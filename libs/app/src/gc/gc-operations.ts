import { defineOperation } from '../operation.js';
import { ProjectInput, projectOf } from '../input/project-input.js';
import { projectName, type ProjectPorts } from '../project-ports.js';
import { DraftIdInput, DraftListInput, DraftRejectInput } from './gc-inputs.js';
import type { GcService } from './gc-service.js';

/** The ports of the GC draft operations (a GC run itself is a job: `GcService.run`). */
export interface GcPorts extends ProjectPorts {
  readonly gc: Pick<GcService, 'counts' | 'list' | 'adopt' | 'reject'>;
}

export const gcStatus = defineOperation({
  name: 'gc_status',
  summary: 'How many remediation drafts are pending, adopted and rejected',
  input: ProjectInput,
  async execute(ports: GcPorts, input) {
    return { counts: await ports.gc.counts(await projectName(ports, projectOf(input))) };
  },
});

export const gcDrafts = defineOperation({
  name: 'gc_drafts',
  summary: 'Remediation drafts, by project and status',
  input: DraftListInput,
  async execute(ports: GcPorts, input) {
    const project = await projectName(ports, projectOf(input));
    return { drafts: await ports.gc.list({ project, status: input.status, limit: input.limit ?? 100 }) };
  },
});

export const gcAdopt = defineOperation({
  name: 'gc_adopt',
  summary: 'Adopt a draft: a task applies it (a caller that can be told follows that task)',
  input: DraftIdInput,
  async execute(ports: GcPorts, { draft_id }, context) {
    const { draft, taskId } = await ports.gc.adopt(draft_id);
    context.follow?.(taskId, 0);
    return { adopted: true as const, draft_id: draft.id, task_id: taskId };
  },
});

export const gcReject = defineOperation({
  name: 'gc_reject',
  summary: 'Reject a draft, with a reason',
  input: DraftRejectInput,
  async execute(ports: GcPorts, { draft_id, reason }) {
    const draft = await ports.gc.reject(draft_id, reason);
    return { rejected: true as const, draft_id: draft.id };
  },
});

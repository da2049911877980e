import {
  AppError,
  type QueueCountsJson,
  type QueueStatsResponse,
  type TaskArtifactJson,
  type TaskArtifactsResponse,
  type TaskEventDataByKind,
} from '@agent-harness/core';
import type { TaskEngine } from '@agent-harness/pipeline';
import {
  ACTIVE_STATUSES,
  resolveTaskId,
  type ProjectCatalog,
  type StoredTaskEvent,
  type TaskRepository,
} from '@agent-harness/queue';
import { NoInput } from '../input/no-input.js';
import { defineOperation } from '../operation.js';
import { TaskIdInput } from './task-inputs.js';

/** Events read per page while a task's artifacts are gathered. */
const PAGE = 2000;
const ARTIFACT_KINDS = ['status', 'log', 'validation', 'review', 'agent'] as const;

/** The ports of the artifact and queue operations. */
export interface TaskArtifactPorts {
  readonly tasks: TaskRepository;
  readonly projects: Pick<ProjectCatalog, 'list'>;
  readonly engine: Pick<TaskEngine, 'limits'>;
}

/** The artifact an event is, if it is one: a commit's change, a validation run, a review verdict, an agent's answer. */
function artifactOf(event: StoredTaskEvent): Pick<TaskArtifactJson, 'artifact_type' | 'content'> | undefined {
  switch (event.kind) {
    case 'log': {
      const { patch } = event.data as TaskEventDataByKind['log'];
      return patch === undefined ? undefined : { artifact_type: 'diff', content: patch };
    }
    case 'validation':
      return { artifact_type: 'validation', content: JSON.stringify(event.data) };
    case 'review':
      return { artifact_type: 'review', content: JSON.stringify(event.data) };
    case 'agent': {
      const data = event.data as TaskEventDataByKind['agent'];
      if (data.role !== 'implementer' || data.type !== 'completed' || data.finalText.trim() === '') return undefined;
      return { artifact_type: 'final_answer', content: data.finalText };
    }
    case 'status':
    case 'end':
    case 'output_truncated':
      return undefined;
  }
}

export const taskArtifacts = defineOperation({
  name: 'task_artifacts',
  summary:
    "A task's artifacts, oldest first: each commit's change, validation runs, review verdicts, the agent's answers",
  input: TaskIdInput,
  async execute(ports: TaskArtifactPorts, input): Promise<TaskArtifactsResponse> {
    const id = await resolveTaskId(ports.tasks, input.task_id);
    if ((await ports.tasks.get(id)) === undefined) throw new AppError('NOT_FOUND', `no task ${id}`);
    const artifacts: TaskArtifactJson[] = [];
    // The attempt an event belongs to is the one its latest status event names.
    let turn = 1;
    for (let after = 0; ;) {
      const page = await ports.tasks.eventsAfter(id, after, PAGE, ARTIFACT_KINDS);
      for (const event of page) {
        if (event.kind === 'status') turn = (event.data as TaskEventDataByKind['status']).attempt;
        const artifact = artifactOf(event);
        if (artifact !== undefined) artifacts.push({ task_id: id, turn, ...artifact, created_at: event.createdAt });
      }
      const last = page.at(-1);
      if (page.length < PAGE || last === undefined) return artifacts;
      after = last.seq;
    }
  },
});

export const queueStats = defineOperation({
  name: 'queue_stats',
  summary: 'Running and queued tasks against their limits, overall and per project',
  input: NoInput,
  async execute(ports: TaskArtifactPorts): Promise<QueueStatsResponse> {
    const [counts, projects] = await Promise.all([ports.tasks.countByProjectAndStatus(), ports.projects.list()]);
    const globalLimit = ports.engine.limits.maxConcurrentTasks;
    const countsOf = (project: string | undefined, limit: number): QueueCountsJson => {
      const mine = counts.filter((c) => project === undefined || c.project === project);
      const total = (match: (status: (typeof mine)[number]['status']) => boolean): number =>
        mine.filter((c) => match(c.status)).reduce((sum, c) => sum + c.count, 0);
      return { running: total((s) => ACTIVE_STATUSES.includes(s)), queued: total((s) => s === 'queued'), limit };
    };
    return {
      global: countsOf(undefined, globalLimit),
      projects: Object.fromEntries(
        projects.map((p) => [
          p.name,
          { root: p.root, ...countsOf(p.name, Math.min(p.maxConcurrent ?? globalLimit, globalLimit)) },
        ]),
      ),
    };
  },
});

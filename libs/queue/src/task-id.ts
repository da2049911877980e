import { AppError } from '@agent-harness/core';
import type { TaskRepository } from './task.repository.js';

/** The shortest id prefix accepted: the 8 characters of branch names `harness/<8>-slug`. */
export const MIN_TASK_ID_PREFIX = 8;
/** Ids are lower-case UUIDs; a prefix of one holds only these characters. */
const ID_PREFIX = /^[0-9a-f-]+$/;
/** Matches counted when a prefix is ambiguous. */
const AMBIGUOUS_SAMPLE = 100;

function shown(given: string): string {
  return given.length > 80 ? `${given.slice(0, 80)}…` : given;
}

/**
 * The id of the task `given` names: its whole id, or a unique prefix of at least 8 characters.
 * Throws NOT_FOUND when none matches, CONFLICT naming how many match when several do, and
 * INVALID_ARGUMENT for a prefix too short to be told apart.
 */
export async function resolveTaskId(tasks: TaskRepository, given: string): Promise<string> {
  if ((await tasks.get(given)) !== undefined) return given;
  const prefix = given.toLowerCase();
  if (!ID_PREFIX.test(prefix) || prefix.length > 36) throw new AppError('NOT_FOUND', `no task ${shown(given)}`);
  if (prefix.length < MIN_TASK_ID_PREFIX) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `task id prefix ${given} is too short: give at least ${String(MIN_TASK_ID_PREFIX)} characters`,
    );
  }
  const ids = await tasks.findIdsByPrefix(prefix, AMBIGUOUS_SAMPLE);
  const [only, ...others] = ids;
  if (only === undefined) throw new AppError('NOT_FOUND', `no task ${given}`);
  if (others.length > 0) {
    const count = ids.length === AMBIGUOUS_SAMPLE ? `${String(AMBIGUOUS_SAMPLE)} or more` : String(ids.length);
    throw new AppError('CONFLICT', `task id prefix ${given} matches ${count} tasks; give more characters`);
  }
  return only;
}

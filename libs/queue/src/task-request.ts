import { err, ok, type Result } from '@agent-harness/core';
import type { TaskRequest } from './task.types.js';

/** The longest prompt accepted (characters). @public */
export const MAX_PROMPT_CHARS = 100_000;

/**
 * The fields a client may send for one task: a request without its kind, which they decide, and
 * without what only Harness sets (a seed and its branch, for GC adoption; where it came from).
 * @public
 */
export type TaskRequestFields = Omit<TaskRequest, 'kind' | 'headBranch' | 'seed' | 'origin'>;

/**
 * A task request from a client's fields: exactly one of `prompt`, `issue` or `pr` says what kind
 * of task it is. Returns a message naming the fields when that does not hold.
 * @public
 */
export function taskRequestFrom(fields: TaskRequestFields): Result<TaskRequest, string> {
  const given = (['prompt', 'issue', 'pr'] as const).filter((key) => fields[key] !== undefined);
  if (given.length !== 1) {
    return err(
      given.length === 0
        ? 'one of prompt, issue or pr is required'
        : `give only one of prompt, issue or pr (got ${given.join(', ')})`,
    );
  }
  if (fields.prompt?.trim() === '') return err('prompt must not be empty');
  const kind = given[0] === 'prompt' ? 'prompt' : given[0] === 'issue' ? 'issue' : 'pr';
  return ok({
    kind,
    prompt: fields.prompt,
    issue: fields.issue,
    pr: fields.pr,
    description: fields.description,
    agent: fields.agent,
    model: fields.model,
  });
}

import type { TaskRequest } from '@agent-harness/queue';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `text` cut to at most `max` characters (UTF-16 units, as lengths are checked elsewhere), on a
 * character boundary: an emoji or an accented letter is kept whole or left out, never split.
 * With `ellipsis`, a cut text ends with "…" (counted in `max`).
 * @public
 */
export function cutText(text: string, max: number, ellipsis = false): string {
  if (text.length <= max) return text;
  const room = ellipsis ? max - 1 : max;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > room) break;
    out += segment;
  }
  return ellipsis ? `${out}…` : out;
}

/** The title of a task: its description, else the first line of its prompt, else its issue or PR. */
export function taskTitle(task: TaskRequest): string {
  const firstLine = task.prompt?.trim().split('\n')[0]?.trim();
  const title = task.description ?? (firstLine !== undefined && firstLine !== '' ? firstLine : undefined);
  if (title !== undefined) return cutText(title, 72, true);
  return task.issue !== undefined ? `issue #${String(task.issue)}` : `PR #${String(task.pr ?? '?')}`;
}

/** An error's message in a log line or a comment: cut at 300 characters. */
export function errorLine(error: unknown): string {
  return cutText(error instanceof Error ? error.message : String(error), 300);
}

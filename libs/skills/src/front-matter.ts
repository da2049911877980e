import { err, ok, type Result } from '@agent-harness/core';

/*
 * The front matter of a skill file: a strict reader for the one key skills use, not a YAML parser.
 *
 *   ---
 *   version: 1.2.0
 *   ---
 *
 * Other keys (and their indented lines) are ignored, so files written for other tools still load.
 */

/** @public */
export const DEFAULT_SKILL_VERSION = '1.0.0';

/** `1.2.0`, optionally with a pre-release or build suffix (`1.2.0-beta.1`). */
const VERSION_PATTERN = /^\d{1,9}\.\d{1,9}\.\d{1,9}(?:[-+][0-9A-Za-z.+-]{1,64})?$/;
const FENCE = /^---[ \t]*$/;
const VERSION_LINE = /^version[ \t]*:(.*)$/;

/** A skill file split into its version and the markdown after the front matter. */
export interface SkillFrontMatter {
  readonly version: string;
  /** The text after the closing `---` (the whole text when there is no front matter). */
  readonly body: string;
}

/** Splits `text` into its front matter's version and its body; `\r\n` line ends are accepted. */
export function splitFrontMatter(text: string): Result<SkillFrontMatter, string> {
  const lines = text.split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? '')) return ok({ version: DEFAULT_SKILL_VERSION, body: text });
  const close = lines.findIndex((line, index) => index > 0 && FENCE.test(line));
  if (close === -1) return err('front matter opened with "---" on the first line is never closed');
  let version: string | undefined;
  for (let index = 1; index < close; index++) {
    const match = VERSION_LINE.exec(lines[index] ?? '');
    if (match === null) continue;
    if (version !== undefined) return err(`front matter sets "version" twice (line ${String(index + 1)})`);
    const value = unquote((match[1] ?? '').replace(/\s+#.*$/, '').trim());
    if (!VERSION_PATTERN.test(value))
      return err(`front matter "version" is not a version like 1.2.0: ${clip(value)} (line ${String(index + 1)})`);
    version = value;
  }
  return ok({ version: version ?? DEFAULT_SKILL_VERSION, body: lines.slice(close + 1).join('\n') });
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted === null ? value : (quoted[2] ?? '');
}

/** A value quoted for a message, cut to a readable length. */
export function clip(text: string, max = 80): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

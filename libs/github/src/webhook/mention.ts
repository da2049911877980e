/** What a `@harness` mention asks for. @public */
export type HarnessCommand = 'mention' | 'review' | 'fix_ci' | 'approve' | 'reject';

/** A `@harness` mention found in a comment. @public */
export interface HarnessMention {
  readonly command: HarnessCommand;
  /** The rest of the mention's line after the command (untrusted text). */
  readonly args: string;
}

/** The most of a body looked at: GitHub's own limit for comments. */
const MAX_BODY_CHARS = 65_536;

/**
 * `@harness` standing alone: not inside a word, an e-mail address or a path, and not the start of a
 * longer name (`@harness-bot`).
 */
const MENTION = /(?:^|[^\w@./-])@harness(?![\w-])/i;
const FENCE = /^ {0,3}(?:```|~~~)/;

/**
 * The first `@harness` mention of a comment, or undefined. Quoted lines (`> …`), fenced code blocks
 * and inline code are skipped, so quoting a comment or Harness's own replies never asks again.
 * After the mention, spaces and `: , - .` are skipped; `fix ci` (`fix-ci`, `fix_ci`), `review`,
 * `approve` and `reject` are commands, anything else is a plain mention. Case does not matter.
 * @public
 */
export function parseMention(body: string): HarnessMention | undefined {
  let inFence = false;
  for (const line of body.slice(0, MAX_BODY_CHARS).split(/\r?\n/)) {
    if (FENCE.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence || line.trimStart().startsWith('>')) continue;
    const text = line.replace(/`[^`]*`/g, ' ');
    const match = MENTION.exec(text);
    if (match === null) continue;
    const rest = text.slice(match.index + match[0].length).replace(/^[\s:,.-]+/, '');
    const command = /^(?:fix[ _-]ci|review|approve|reject)(?![\w-])/i.exec(rest);
    if (command === null) return { command: 'mention', args: rest.trim() };
    const word = command[0].toLowerCase();
    return {
      command: word === 'review' || word === 'approve' || word === 'reject' ? word : 'fix_ci',
      args: rest
        .slice(command[0].length)
        .replace(/^[\s:,.-]+/, '')
        .trim(),
    };
  }
  return undefined;
}

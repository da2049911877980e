import { AppError } from '@agent-harness/core';
import { splitFrontMatter } from './front-matter.js';
import type { Skill } from './skill.types.js';

/** The default budget of the "Relevant skills" section, in characters. @public */
export const DEFAULT_SKILLS_SECTION_CHARS = 12_000;
const HEADER = '## Relevant skills\n\n';
/** Names listed in the "omitted" note at most; the rest are counted. */
const MAX_NOTE_NAMES = 20;

/** @public */
export interface RelevantSkillsSection {
  /** The markdown to add to a prompt; '' when there is nothing to add. */
  readonly text: string;
  readonly included: Skill[];
  readonly omitted: Skill[];
}

/**
 * The prompt section for matched skills: `## Relevant skills`, then `### <name>` and the skill's
 * body for each, whole skills only, in the order given, while the section (note included) fits in
 * `maxChars`; the others are named on one closing line.
 *
 * A skill's text is written by a person or an agent, so it is made safe to embed (see
 * `promptSafeSkillBody`): its headings are pushed below the skill's own `###`, a code fence it leaves
 * open is closed, front matter, the trigger comment and control characters are dropped.
 * @public
 */
export function relevantSkillsSection(
  skills: readonly Skill[],
  maxChars: number = DEFAULT_SKILLS_SECTION_CHARS,
): RelevantSkillsSection {
  if (!Number.isFinite(maxChars) || maxChars < 0)
    throw new AppError('INVALID_ARGUMENT', `maxChars is a number of characters ≥ 0, not ${String(maxChars)}`);
  if (skills.length === 0) return { text: '', included: [], omitted: [] };

  const blocks: string[] = [];
  let length = HEADER.length;
  for (const skill of skills) {
    const block = `### ${skill.name}\n${promptSafeSkillBody(skill.content)}\n`;
    if (length + block.length > maxChars) break;
    blocks.push(block);
    length += block.length;
  }
  // The note takes room too: give up the last skills until it fits.
  let note = omittedNote(skills.slice(blocks.length));
  while (blocks.length > 0 && length + note.length > maxChars) {
    length -= blocks.pop()?.length ?? 0;
    note = omittedNote(skills.slice(blocks.length));
  }
  const included = skills.slice(0, blocks.length);
  const omitted = skills.slice(blocks.length);
  const text = HEADER + blocks.join('') + note;
  return { text: text.length <= maxChars ? text : '', included, omitted };
}

function omittedNote(omitted: readonly Skill[]): string {
  if (omitted.length === 0) return '';
  const names = omitted.slice(0, MAX_NOTE_NAMES).map((skill) => skill.name);
  const more = omitted.length - names.length;
  return `(Omitted for length: ${names.join(', ')}${more > 0 ? ` and ${String(more)} more` : ''}.)\n`;
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const ATX_HEADING = /^( {0,3})(#{1,6})(?=[ \t]|$)/;
/** A setext underline (`===` or `---` under a line of text) would make that line a heading. */
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const TRIGGER_COMMENT = /^\s*<!--\s*trigger-patterns\s*:.*-->\s*$/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * A skill's text as it goes into a prompt, under its `### name` heading: without front matter, the
 * trigger comment and control characters; every heading outside code pushed down three levels
 * (`#` → `####`, capped at `######`) so it cannot pose as a section of the prompt; a setext
 * underline escaped; a code fence left open closed; blank edges trimmed.
 * @public
 */
export function promptSafeSkillBody(content: string): string {
  const split = splitFrontMatter(content);
  const body = split.ok ? split.value.body : content;
  const lines = body.replace(/\r\n?/g, '\n').replace(CONTROL, '').split('\n');
  const out: string[] = [];
  let fence: { char: string; length: number } | undefined;
  for (const line of lines) {
    if (fence !== undefined) {
      out.push(line);
      const close = new RegExp(`^ {0,3}${fence.char === '`' ? '`' : '~'}{${String(fence.length)},}[ \\t]*$`);
      if (close.test(line)) fence = undefined;
      continue;
    }
    const open = FENCE_OPEN.exec(line)?.[1];
    if (open !== undefined) {
      fence = { char: open.charAt(0), length: open.length };
      out.push(line);
      continue;
    }
    if (TRIGGER_COMMENT.test(line)) continue;
    const previous = out[out.length - 1] ?? '';
    if (SETEXT_UNDERLINE.test(line) && previous.trim() !== '') {
      out.push(`\\${line.trimStart()}`);
      continue;
    }
    out.push(
      line.replace(
        ATX_HEADING,
        (_match, indent: string, hashes: string) => indent + '#'.repeat(Math.min(6, hashes.length + 3)),
      ),
    );
  }
  if (fence !== undefined) out.push(fence.char.repeat(fence.length));
  return out
    .join('\n')
    .replace(/^\s*\n/, '')
    .trimEnd();
}

import { createHash } from 'node:crypto';
import { err, ok, type Result } from '@agent-harness/core';
import { clip, splitFrontMatter } from './front-matter.js';
import { isValidSkillName } from './skill-name.js';
import { skillId, type Skill, type SkillTier } from './skill.types.js';

/** The largest skill file, in UTF-8 bytes: a skill is a prompt snippet, not a manual. @public */
export const MAX_SKILL_BYTES = 64 * 1024;
/** The most trigger patterns one skill may list. @public */
export const MAX_TRIGGER_PATTERNS = 50;
/** The longest trigger pattern, in characters. @public */
export const MAX_TRIGGER_PATTERN_LENGTH = 100;
/** Descriptions longer than this are cut (they are shown in listings, one line each). */
const MAX_DESCRIPTION_LENGTH = 200;

/** `<!-- trigger-patterns: a, b, c -->` on a line of its own. */
const TRIGGER_LINE = /^<!--\s*trigger-patterns\s*:(.*?)-->$/i;
// Control characters other than tab have no place in a one-line description.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * Reads one skill file. `name` is the file stem and `tier` where it was found; the result says why
 * a file is refused (bad name, over `MAX_SKILL_BYTES`, a NUL byte, broken front matter, no text,
 * too many or too long trigger patterns) instead of throwing.
 * @public
 */
export function parseSkill(name: string, text: string, tier: SkillTier, path?: string): Result<Skill, string> {
  if (!isValidSkillName(name))
    return err(
      `${clip(name)} is not a valid skill name (a letter or digit, then up to 63 of letters, digits, ".", "_", "-"; no "..")`,
    );
  // A UTF-16 unit is at least one UTF-8 byte, so a long string is refused without encoding it.
  if (text.length > MAX_SKILL_BYTES || Buffer.byteLength(text, 'utf8') > MAX_SKILL_BYTES)
    return err(`skill ${name} is larger than ${String(MAX_SKILL_BYTES)} bytes`);
  if (text.includes('\u0000')) return err(`skill ${name} contains a NUL byte`);

  const split = splitFrontMatter(text.replace(/^\uFEFF/, ''));
  if (!split.ok) return err(`skill ${name}: ${split.error}`);
  const lines = split.value.body.split(/\r?\n/).map((line) => line.trim());

  const triggerLine = lines.find((line) => TRIGGER_LINE.test(line));
  const triggerPatterns = triggerLine === undefined ? [] : readTriggerPatterns(triggerLine);
  if (triggerPatterns.length > MAX_TRIGGER_PATTERNS)
    return err(
      `skill ${name} lists ${String(triggerPatterns.length)} trigger patterns; at most ${String(MAX_TRIGGER_PATTERNS)}`,
    );
  const tooLong = triggerPatterns.find((pattern) => pattern.length > MAX_TRIGGER_PATTERN_LENGTH);
  if (tooLong !== undefined)
    return err(
      `skill ${name} has a trigger pattern over ${String(MAX_TRIGGER_PATTERN_LENGTH)} characters: ${clip(tooLong)}`,
    );

  // The trigger comment is metadata, not a description.
  const first = lines.find((line) => line !== '' && !TRIGGER_LINE.test(line));
  const description = oneLine((first ?? '').replace(/^#+\s*/, ''));
  if (description === '') return err(`skill ${name} has no text after its front matter`);

  return ok({
    id: skillId(tier, name),
    name,
    tier,
    description,
    triggerPatterns,
    version: split.value.version,
    contentHash: contentHashOf(text),
    content: text,
    ...(path === undefined ? {} : { path }),
  });
}

function readTriggerPatterns(line: string): string[] {
  const list = TRIGGER_LINE.exec(line)?.[1] ?? '';
  const patterns = list
    .split(',')
    .map((pattern) => pattern.trim().toLowerCase())
    .filter((pattern) => pattern !== '');
  return [...new Set(patterns)];
}

function oneLine(text: string): string {
  const clean = text.replace(CONTROL, '').trim();
  return clean.length > MAX_DESCRIPTION_LENGTH ? `${clean.slice(0, MAX_DESCRIPTION_LENGTH - 1)}…` : clean;
}

/** The first 16 hex digits of the SHA-256 of `text` (UTF-8). */
export function contentHashOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

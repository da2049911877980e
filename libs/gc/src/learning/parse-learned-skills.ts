import { answerLines, MAX_LEARNED_PER_ANSWER, quoted } from './answer-text.js';

/** One skill an agent proposed: its file name (without `.md`) and its markdown. @public */
export interface LearnedSkill {
  readonly name: string;
  readonly content: string;
}

/** What `parseLearnedSkills` made of an answer. @public */
export interface LearnedSkills {
  readonly skills: LearnedSkill[];
  /** Names skipped because a skill of that name exists or came earlier: learning never overwrites. */
  readonly duplicates: string[];
  /** Blocks skipped, and why. */
  readonly problems: string[];
}

/** A skill's content is at most this many bytes of UTF-8. @public */
export const MAX_LEARNED_SKILL_BYTES = 64 * 1024;

/** A skill name is a file name: no separators, no leading dot, no `..`. @public */
export const SKILL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const SKILL_HEADER = /^===[ \t]*skill[ \t]*:(.*)$/i;
const END_MARKER = /^===(?:[ \t]*end[^=]*===)?[ \t]*$/i;
const OPENING_FENCE = /^(?:```|~~~)[ \t]*(?:markdown|md)?[ \t]*$/i;
const CLOSING_FENCE = /^(?:```|~~~)[ \t]*$/;
const DESCRIPTION = /^# +\S/;

/** Whether `name` can name a skill file. @public */
export function isValidSkillName(name: string): boolean {
  return SKILL_NAME_PATTERN.test(name) && !name.includes('..');
}

/**
 * The skills in an agent's learning answer: blocks `=== skill: kebab-name ===`, each running to the
 * next `=== skill:` line or the end. A bad name, content over 64 KiB or content not starting with a
 * `# description` line is reported and skipped; a name that exists already (in any letter case) or came
 * earlier is a duplicate and skipped. At most 20 skills are taken.
 * @public
 */
export function parseLearnedSkills(answer: string, existingNames: readonly string[]): LearnedSkills {
  const skills: LearnedSkill[] = [];
  const duplicates: string[] = [];
  const problems: string[] = [];
  const taken = new Set(existingNames.map((name) => name.toLowerCase()));
  let overflow = 0;

  for (const block of blocks(answerLines(answer, problems))) {
    const where = `skill block at line ${String(block.line)}`;
    const name = block.name;
    if (!isValidSkillName(name)) {
      problems.push(
        `${where}: ${quoted(name, 70)} is not a skill name (a letter or digit, then up to 63 of A–Z, a–z, 0–9, ".", "_", "-", no ".."); skipped`,
      );
      continue;
    }
    const content = contentOf(block.lines);
    if (!DESCRIPTION.test(content)) {
      problems.push(`${where}: skill ${name} does not start with a "# description" line; skipped`);
      continue;
    }
    const bytes = new TextEncoder().encode(content).length;
    if (bytes > MAX_LEARNED_SKILL_BYTES) {
      problems.push(
        `${where}: skill ${name} is ${String(bytes)} bytes, over ${String(MAX_LEARNED_SKILL_BYTES)}; skipped`,
      );
      continue;
    }
    if (taken.has(name.toLowerCase())) {
      duplicates.push(name);
      continue;
    }
    if (skills.length >= MAX_LEARNED_PER_ANSWER) {
      overflow += 1;
      continue;
    }
    taken.add(name.toLowerCase());
    skills.push({ name, content });
  }
  if (overflow > 0) {
    problems.push(
      `the answer has more than ${String(MAX_LEARNED_PER_ANSWER)} skills: ${String(overflow)} more were skipped`,
    );
  }
  return { skills, duplicates, problems };
}

/** The block's markdown: trimmed, without an `=== end ===` marker or a fence wrapped around it all. */
function contentOf(lines: readonly string[]): string {
  const kept = [...lines];
  const trim = (): void => {
    while (kept.length > 0 && (kept[0] ?? '').trim() === '') kept.shift();
    while (kept.length > 0 && (kept.at(-1) ?? '').trim() === '') kept.pop();
  };
  trim();
  if (kept.length > 0 && END_MARKER.test(kept.at(-1) ?? '')) {
    kept.pop();
    trim();
  }
  if (kept.length >= 2 && OPENING_FENCE.test(kept[0] ?? '') && CLOSING_FENCE.test(kept.at(-1) ?? '')) {
    kept.shift();
    kept.pop();
    trim();
  }
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}

function blocks(lines: readonly string[]): { name: string; line: number; lines: string[] }[] {
  const found: { name: string; line: number; lines: string[] }[] = [];
  lines.forEach((text, index) => {
    const header = SKILL_HEADER.exec(text);
    if (header === null) {
      found.at(-1)?.lines.push(text);
      return;
    }
    const name = (header[1] ?? '').replace(/=+[ \t]*$/, '').trim();
    found.push({ name, line: index + 1, lines: [] });
  });
  return found;
}

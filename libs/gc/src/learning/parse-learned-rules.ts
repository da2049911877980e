import {
  formatRuleFile,
  globProblem,
  isValidRuleId,
  parseRuleFile,
  parseSeverity,
  type RuleDraft,
} from '@agent-harness/rules';
import { answerLines, comparable, MAX_LEARNED_PER_ANSWER, quoted } from './answer-text.js';

/** What `parseLearnedRules` made of an answer. @public */
export interface LearnedRules {
  /** Rules to store, numbered `LEARN-NNN`, each one that stores and reads back as itself. */
  readonly rules: RuleDraft[];
  /** Titles of rules skipped because a rule with the same title exists or came earlier in the answer. */
  readonly duplicates: string[];
  /** Blocks skipped, and why. */
  readonly problems: string[];
}

/** @public */
export const MAX_LEARNED_RULE_TITLE = 200;
/** @public */
export const MAX_LEARNED_RULE_BODY = 8000;

const HEADING = /^##[ \t]+(.*?)[ \t]*$/;
const CANDIDATE = /^([^\s:]+)[ \t]*:[ \t]*(.*)$/;
const SEVERITY_SUFFIX = /[ \t]*\((?:critical|high|medium|low)\)$/i;
const SEVERITY_LINE = /^[ \t]*(?:[-*][ \t]+)?(?:\*\*)?severity(?:\*\*)?[ \t]*:[ \t]*(?:\*\*)?(.*?)(?:\*\*)?[ \t]*$/i;
const PATHS_LINE = /^[ \t]*(?:[-*][ \t]+)?(?:\*\*)?paths(?:\*\*)?[ \t]*:[ \t]*(?:\*\*)?(.*?)(?:\*\*)?[ \t]*$/i;
const CODE_FENCE = /^ {0,3}(```|~~~)/;
const LEARN_ID = /^LEARN-(\d{3,})$/;

interface Block {
  readonly heading: string;
  /** 1-based line of the heading in the answer. */
  readonly line: number;
  readonly lines: string[];
}

/**
 * The rules in an agent's learning answer: blocks `## LEARN-NNN: Title`, a `severity:` line, an
 * optional `paths: a, b` line, then the description until the next `## ` heading. A block with no or
 * a bad severity, a bad id, title or glob, or an over-long body is skipped and reported. A rule whose
 * title (ignoring case and spacing) an existing rule or an earlier block has is a duplicate. Ids are
 * `LEARN-NNN`: another id, or one an existing rule already holds, is renumbered to the next free one.
 * At most 20 rules are taken.
 * @public
 */
export function parseLearnedRules(
  answer: string,
  existing: readonly { readonly id: string; readonly title: string }[],
): LearnedRules {
  const rules: RuleDraft[] = [];
  const duplicates: string[] = [];
  const problems: string[] = [];
  const titles = new Set(existing.map((rule) => comparable(rule.title)));
  const usedIds = new Set(existing.map((rule) => rule.id));
  let overflow = 0;

  for (const block of blocks(answerLines(answer, problems))) {
    const candidate = CANDIDATE.exec(block.heading);
    if (candidate === null) continue; // a prose heading, not a rule
    const [, givenId = '', rest = ''] = candidate;
    const where = `rule block at line ${String(block.line)}`;
    const skip = (why: string): void => {
      problems.push(`${where}: ${why}; skipped`);
    };
    if (!isValidRuleId(givenId)) {
      skip(`${quoted(givenId, 40)} is not a rule id`);
      continue;
    }
    const title = rest.replace(SEVERITY_SUFFIX, '').trim();
    if (title === '') {
      skip('it has no title');
      continue;
    }
    if (title.length > MAX_LEARNED_RULE_TITLE) {
      skip(`its title is longer than ${String(MAX_LEARNED_RULE_TITLE)} characters`);
      continue;
    }
    const fields = ruleFields(block.lines);
    if (typeof fields === 'string') {
      skip(fields);
      continue;
    }
    if (titles.has(comparable(title))) {
      duplicates.push(title);
      continue;
    }
    if (rules.length >= MAX_LEARNED_PER_ANSWER) {
      overflow += 1;
      continue;
    }
    const id = LEARN_ID.test(givenId) && !usedIds.has(givenId) ? givenId : nextLearnId(usedIds);
    const rule: RuleDraft = { id, title, ...fields };
    const readBack = readBackProblem(rule);
    if (readBack !== undefined) {
      skip(readBack);
      continue;
    }
    usedIds.add(id);
    titles.add(comparable(title));
    rules.push(rule);
  }
  if (overflow > 0) {
    problems.push(
      `the answer has more than ${String(MAX_LEARNED_PER_ANSWER)} rules: ${String(overflow)} more were skipped`,
    );
  }
  return { rules, duplicates, problems };
}

/** Severity, paths and body of a block, or why it has none. */
function ruleFields(lines: readonly string[]): Pick<RuleDraft, 'severity' | 'paths' | 'body'> | string {
  let at = nextContent(lines, 0);
  const severityLine = SEVERITY_LINE.exec(lines[at] ?? '');
  if (severityLine === null) return 'no "severity:" line right after the heading';
  const severity = parseSeverity(severityLine[1] ?? '');
  if (severity === undefined) {
    return `severity ${quoted(severityLine[1] ?? '', 40)} is not critical, high, medium or low`;
  }
  at = nextContent(lines, at + 1);
  const pathsLine = PATHS_LINE.exec(lines[at] ?? '');
  const paths: string[] = [];
  if (pathsLine !== null) {
    for (const glob of (pathsLine[1] ?? '').split(',')) {
      const trimmed = glob.trim().replace(/^[`"']+|[`"']+$/g, '');
      if (trimmed === '') continue;
      const problem = globProblem(trimmed);
      if (problem !== undefined) return `paths: ${problem}`;
      paths.push(trimmed);
    }
    at += 1;
  }
  const body = lines.slice(at).join('\n').trim();
  if (body.length > MAX_LEARNED_RULE_BODY)
    return `its description is longer than ${String(MAX_LEARNED_RULE_BODY)} characters`;
  return { severity, paths, body };
}

/** The index of the first non-blank line at or after `from` (lines.length when none). */
function nextContent(lines: readonly string[], from: number): number {
  let at = from;
  while (at < lines.length && (lines[at] ?? '').trim() === '') at += 1;
  return at;
}

/** `LEARN-NNN` after the highest one in use (never reusing the id of a rule that was removed). */
function nextLearnId(used: ReadonlySet<string>): string {
  let highest = 0;
  for (const id of used) {
    const number = LEARN_ID.exec(id)?.[1];
    if (number !== undefined) highest = Math.max(highest, Number(number));
  }
  let next = highest + 1;
  while (used.has(learnId(next))) next += 1;
  return learnId(next);
}

const learnId = (n: number): string => `LEARN-${String(n).padStart(3, '0')}`;

/**
 * Why the rule would not read back from its file as itself (a `## ` heading or `severity:` line in
 * its description…), or undefined: a rule handed on here can be stored.
 */
function readBackProblem(rule: RuleDraft): string | undefined {
  const parsed = parseRuleFile(formatRuleFile(rule), { kind: 'learned', path: `${rule.id}.md` });
  const [problem] = parsed.problems;
  if (problem !== undefined) return `it does not read back as a rule (${problem.message})`;
  const [read, extra] = parsed.rules;
  const same =
    read !== undefined &&
    extra === undefined &&
    read.title === rule.title &&
    read.severity === rule.severity &&
    read.body === rule.body &&
    read.paths.join('\n') === rule.paths.join('\n');
  return same
    ? undefined
    : 'it does not read back as itself (a second "severity:" line or a "## " heading in its description?)';
}

/** The `## ` blocks of the answer; headings inside fenced code do not start one. */
function blocks(lines: readonly string[]): Block[] {
  const found: Block[] = [];
  let current: Block | undefined;
  let fence: string | undefined;
  lines.forEach((text, index) => {
    const fenceMark = CODE_FENCE.exec(text)?.[1];
    const inFence = fence !== undefined || fenceMark !== undefined;
    if (fenceMark !== undefined) fence = fence === undefined ? fenceMark : fence === fenceMark ? undefined : fence;
    const heading = inFence ? null : HEADING.exec(text);
    if (heading === null) {
      current?.lines.push(text);
      return;
    }
    current = { heading: heading[1] ?? '', line: index + 1, lines: [] };
    found.push(current);
  });
  return found;
}

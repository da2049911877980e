import { readFrontMatter } from './front-matter.js';
import type { ParsedRules, Rule, RuleProblem, RuleProblemCode, RuleSource, Severity } from './rule.types.js';
import { parseSeverity } from './severity.js';

/**
 * A rule id: an upper-case letter, then 1–63 upper-case letters, digits, `-` or `_` (`SEC-01`,
 * `RS_03`, `LEARN-001`). Ids name learned-rule files, so they can hold nothing path-like.
 * @public
 */
export const RULE_ID_PATTERN = /^[A-Z][A-Z0-9_-]{1,63}$/;

/** @public */
export function isValidRuleId(id: string): boolean {
  return RULE_ID_PATTERN.test(id);
}

const HEADING = /^##[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const CANDIDATE = /^([^\s:]+)[ \t]*:[ \t]*(.*)$/;
const SEVERITY_SUFFIX = /[ \t]*\((critical|high|medium|low)\)[ \t]*$/i;
/** `severity: high`, also as a list item or in bold (`- **Severity**: high`). */
const SEVERITY_LINE = /^[ \t]*(?:[-*][ \t]+)?(?:\*\*)?severity(?:\*\*)?[ \t]*:[ \t]*(?:\*\*)?(.*?)(?:\*\*)?[ \t]*$/i;
const CODE_FENCE = /^ {0,3}(```|~~~)/;

interface Section {
  readonly heading: string;
  readonly line: number;
  readonly lines: { readonly text: string; readonly line: number; readonly inFence: boolean }[];
}

/**
 * Reads the rules of one markdown rule file. Every `## ID: Title` section is a rule; `##` headings
 * without `ID:` are prose and skipped. A rule's severity is the explicit `severity:` line of its
 * section or the heading's `(high)` suffix; a section with neither, or with an unknown value, is
 * reported and skipped: severity is never guessed from the text. Front-matter `paths:` scope every
 * rule of the file.
 * @public
 */
export function parseRuleFile(text: string, source: RuleSource): ParsedRules {
  const problems: RuleProblem[] = [];
  const report = (code: RuleProblemCode, message: string, line?: number, ruleId?: string): void => {
    problems.push({
      code,
      message,
      source,
      ...(line === undefined ? {} : { line }),
      ...(ruleId === undefined ? {} : { ruleId }),
    });
  };
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const frontMatter = readFrontMatter(normalized);
  if (!frontMatter.ok) {
    report(
      'invalid_front_matter',
      `${frontMatter.error.message}; the file's rules were skipped`,
      frontMatter.error.line,
    );
    return { rules: [], problems };
  }
  for (const warning of frontMatter.value.warnings) report('invalid_front_matter', warning.message, warning.line);

  const rules: Rule[] = [];
  for (const section of sections(frontMatter.value.body, frontMatter.value.bodyLine)) {
    const candidate = CANDIDATE.exec(section.heading);
    if (candidate === null) continue;
    const [, id = '', rest = ''] = candidate;
    if (!RULE_ID_PATTERN.test(id)) {
      report(
        'invalid_id',
        `"${id}" is not a rule id (an upper-case letter, then 1–63 of A–Z, 0–9, "-", "_"); section skipped`,
        section.line,
      );
      continue;
    }
    const suffix = SEVERITY_SUFFIX.exec(rest);
    const title = (suffix === null ? rest : rest.slice(0, suffix.index)).trim();
    if (title === '') {
      report('missing_title', `rule ${id} has no title after "${id}:"; rule skipped`, section.line, id);
      continue;
    }
    const severity = sectionSeverity(section, suffix?.[1], (code, message, line) => {
      report(code, `rule ${id}: ${message}; rule skipped`, line, id);
    });
    if (severity === undefined) continue;
    if (rules.some((rule) => rule.id === id)) {
      report('duplicate_id', `rule ${id} appears again in the same file; the first one is kept`, section.line, id);
      continue;
    }
    const body = section.lines
      .filter((line) => line.inFence || !SEVERITY_LINE.test(line.text))
      .map((line) => line.text)
      .join('\n')
      .trim();
    rules.push({ id, title, severity, body, paths: [...frontMatter.value.paths], source });
  }
  return { rules, problems };
}

function sectionSeverity(
  section: Section,
  headingSuffix: string | undefined,
  report: (code: RuleProblemCode, message: string, line: number) => void,
): Severity | undefined {
  const found: { severity: Severity; line: number }[] = [];
  const fromHeading = headingSuffix === undefined ? undefined : parseSeverity(headingSuffix);
  if (fromHeading !== undefined) found.push({ severity: fromHeading, line: section.line });
  for (const line of section.lines) {
    const match = line.inFence ? null : SEVERITY_LINE.exec(line.text);
    if (match === null) continue;
    const severity = parseSeverity(match[1] ?? '');
    if (severity === undefined) {
      report(
        'invalid_severity',
        `severity ${JSON.stringify(match[1] ?? '')} is not critical, high, medium or low`,
        line.line,
      );
      return undefined;
    }
    found.push({ severity, line: line.line });
  }
  const first = found[0];
  if (first === undefined) {
    report('missing_severity', 'no "severity:" line and no "(severity)" after the title', section.line);
    return undefined;
  }
  const other = found.find((entry) => entry.severity !== first.severity);
  if (other !== undefined) {
    report('conflicting_severity', `severity is both ${first.severity} and ${other.severity}`, other.line);
    return undefined;
  }
  return first.severity;
}

/** The `## ` sections of a markdown body, ignoring headings inside fenced code blocks. */
function sections(body: string, firstLine: number): Section[] {
  const found: Section[] = [];
  let current: Section | undefined;
  let fence: string | undefined;
  body.split('\n').forEach((text, index) => {
    const line = firstLine + index;
    const fenceMark = CODE_FENCE.exec(text)?.[1];
    const inFence = fence !== undefined || fenceMark !== undefined;
    if (fenceMark !== undefined) fence = fence === undefined ? fenceMark : fence === fenceMark ? undefined : fence;
    const heading = inFence ? null : HEADING.exec(text);
    if (heading !== null) {
      current = { heading: heading[1] ?? '', line, lines: [] };
      found.push(current);
    } else {
      current?.lines.push({ text, line, inFence });
    }
  });
  return found;
}

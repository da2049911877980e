import { isAbsolute, relative, sep } from 'node:path';
import { normalizeRelativePath } from './glob.js';
import type { Violation } from './guard.types.js';
import { RULE_ID_PATTERN } from './parse-rule-file.js';
import { ruleAppliesTo, type RuleCatalogue } from './rule-catalogue.js';

/** A well-formed output line of a guard, before the catalogue is consulted. @public */
export interface GuardFinding {
  readonly file: string;
  readonly line: number;
  readonly ruleId: string;
  readonly message: string;
}

/** @public */
export interface ParsedGuardOutput {
  readonly findings: GuardFinding[];
  readonly malformedLines: number;
  readonly malformedSamples: string[];
}

/** FILE may itself hold colons: the first `:LINE:RULE_ID:` after it ends it. */
const FINDING = /^(.+?):(\d{1,9}):([A-Za-z][A-Za-z0-9_-]*):(.*)$/;
const SAMPLES = 5;
const SAMPLE_CHARS = 200;
const MESSAGE_CHARS = 2000;

/**
 * Reads a guard's stdout: one `FILE:LINE:RULE_ID:MESSAGE` per line. Blank lines are skipped; any
 * other line that does not fit, or names a file outside the project, is counted as malformed.
 * Absolute paths inside one of `projectRoots` (the root as given and as resolved) become relative;
 * rule ids are upper-cased, since valid ids are.
 * @public
 */
export function parseGuardOutput(stdout: string, projectRoots: readonly string[]): ParsedGuardOutput {
  const findings: GuardFinding[] = [];
  const malformed: string[] = [];
  for (const raw of stdout.split('\n')) {
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '') continue;
    const finding = readFinding(text, projectRoots);
    if (finding === undefined) malformed.push(text);
    else findings.push(finding);
  }
  return {
    findings,
    malformedLines: malformed.length,
    malformedSamples: malformed
      .slice(0, SAMPLES)
      .map((line) => (line.length > SAMPLE_CHARS ? `${line.slice(0, SAMPLE_CHARS)}…` : line)),
  };
}

function readFinding(text: string, projectRoots: readonly string[]): GuardFinding | undefined {
  const match = FINDING.exec(text);
  if (match === null) return undefined;
  const [, rawFile = '', line = '', rawId = '', message = ''] = match;
  const ruleId = rawId.toUpperCase();
  const file = projectRelative(rawFile.trim(), projectRoots);
  if (file === undefined || !RULE_ID_PATTERN.test(ruleId)) return undefined;
  return { file, line: Number(line), ruleId, message: message.trim().slice(0, MESSAGE_CHARS) };
}

function projectRelative(file: string, projectRoots: readonly string[]): string | undefined {
  if (!isAbsolute(file)) return normalizeRelativePath(file);
  for (const root of projectRoots) {
    const inside = relative(root, file);
    if (inside !== '' && !inside.startsWith(`..${sep}`) && inside !== '..' && !isAbsolute(inside)) {
      return normalizeRelativePath(inside.split(sep).join('/'));
    }
  }
  return undefined;
}

/**
 * Turns findings into violations: the severity comes from the catalogue's rule (`medium` and
 * `unknownRule` when it has none), and findings on files the rule's `paths` do not cover are dropped.
 * @public
 */
export function toViolations(
  findings: readonly GuardFinding[],
  catalogue: RuleCatalogue,
  guard: string,
): { violations: Violation[]; outOfScope: number } {
  const violations: Violation[] = [];
  let outOfScope = 0;
  for (const finding of findings) {
    const rule = catalogue.find(finding.ruleId);
    if (rule !== undefined && !ruleAppliesTo(rule, finding.file)) {
      outOfScope += 1;
      continue;
    }
    violations.push({
      ...finding,
      severity: rule?.severity ?? 'medium',
      unknownRule: rule === undefined,
      guard,
    });
  }
  return { violations, outOfScope };
}

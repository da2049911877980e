/**
 * How bad breaking a rule is, most severe first. `critical` and `high` block (`harness rule check`
 * exits 1); `medium` warns; `low` is informational.
 * @public
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
/** @public */
export type Severity = (typeof SEVERITIES)[number];

/**
 * Where a rule came from, in precedence order: when two sources define the same id, the one listed
 * first wins. Hand-written rules beat learned ones; learned ones (drawn from this installation's
 * own history) beat the generic built-ins.
 * @public
 */
export const RULE_SOURCE_KINDS = ['project', 'user', 'extra', 'learned', 'builtin'] as const;
/** @public */
export type RuleSourceKind = (typeof RULE_SOURCE_KINDS)[number];

/** The file a rule was read from. @public */
export interface RuleSource {
  readonly kind: RuleSourceKind;
  readonly path: string;
}

/** One rule of the catalogue: a `## ID: Title` section of a rule file. @public */
export interface Rule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** The section's markdown below the heading, without the `severity:` line. */
  readonly body: string;
  /** Globs of the project-relative files the rule applies to; empty means every file. */
  readonly paths: readonly string[];
  readonly source: RuleSource;
}

/** A rule as a writer supplies it (a learned rule before it is stored). @public */
export type RuleDraft = Omit<Rule, 'source'>;

/**
 * What can be wrong with rule files. Every problem is reported; none stops the other files or
 * rules from loading.
 * @public
 */
export const RULE_PROBLEM_CODES = [
  /** A `## X: Title` heading whose X is not a valid rule id. */
  'invalid_id',
  /** A rule section with no `severity:` line and no `(severity)` heading suffix. */
  'missing_severity',
  /** A `severity:` value that is not critical, high, medium or low. */
  'invalid_severity',
  /** Two severities in one section that disagree. */
  'conflicting_severity',
  /** A heading with an id and no title. */
  'missing_title',
  /** The same id twice in one file: the first one is kept. */
  'duplicate_id',
  /** The same id in a later discovery source: the earlier one is kept. */
  'shadowed',
  /** Front-matter that cannot be read, an unknown key, or a bad glob: the file's rules are skipped. */
  'invalid_front_matter',
  /** A file or directory that could not be read. */
  'unreadable',
  /** A file over the size limit, or a directory with too many files. */
  'too_large',
  /** A symlink leading out of its rule directory, or a rule directory outside the project. */
  'unsafe_path',
] as const;
/** @public */
export type RuleProblemCode = (typeof RULE_PROBLEM_CODES)[number];

/** @public */
export interface RuleProblem {
  readonly code: RuleProblemCode;
  readonly message: string;
  readonly source: RuleSource;
  /** 1-based line in the file, when the problem sits on one. */
  readonly line?: number;
  readonly ruleId?: string;
}

/** The outcome of parsing one rule file. @public */
export interface ParsedRules {
  readonly rules: Rule[];
  readonly problems: RuleProblem[];
}

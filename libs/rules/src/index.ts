// Public API of @agent-harness/rules.
export { RULE_PROBLEM_CODES, RULE_SOURCE_KINDS, SEVERITIES } from './rule.types.js';
export type {
  ParsedRules,
  Rule,
  RuleDraft,
  RuleProblem,
  RuleProblemCode,
  RuleSource,
  RuleSourceKind,
  Severity,
} from './rule.types.js';
export { isBlocking, parseSeverity, severityDecision, severityRank } from './severity.js';
export { compileGlob, globProblem, matchesGlob, normalizeRelativePath } from './glob.js';
export { RULE_ID_PATTERN, isValidRuleId, parseRuleFile } from './parse-rule-file.js';
export { RuleCatalogue, createRuleCatalogue, ruleAppliesTo } from './rule-catalogue.js';
export type { LoadedRuleFile, RuleSourceSummary } from './rule-catalogue.js';
export { DEFAULT_RULE_FILE_LIMITS, readRuleDirectory } from './read-rule-files.js';
export type { RuleFileLimits } from './read-rule-files.js';
export { BUILTIN_RULES_DIR, discoverRules } from './discover-rules.js';
export type { DiscoverRulesOptions, RulesConfig } from './discover-rules.js';
export { InMemoryLearnedRuleStore, LearnedRuleStore, formatRuleFile } from './learned-rule-store.js';
export { FileLearnedRuleStore } from './file-learned-rule-store.js';

export { GUARD_PROBLEM_KINDS } from './guard.types.js';
export type { GuardProblem, GuardProblemKind, GuardReport, GuardScanResult, Violation } from './guard.types.js';
export { parseGuardOutput, toViolations } from './guard-output.js';
export type { GuardFinding, ParsedGuardOutput } from './guard-output.js';
export { DEFAULT_GUARD_OUTPUT_BYTES, DEFAULT_GUARD_TIMEOUT_MS, runGuards } from './run-guards.js';
export type { RunGuardsOptions } from './run-guards.js';

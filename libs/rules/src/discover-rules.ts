import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isAbsolute, join, resolve } from 'node:path';
import type { LearnedRuleStore } from './learned-rule-store.js';
import { DEFAULT_RULE_FILE_LIMITS, readRuleDirectory, type RuleFileLimits } from './read-rule-files.js';
import { createRuleCatalogue, type LoadedRuleFile, type RuleCatalogue } from './rule-catalogue.js';
import type { ParsedRules, Rule, RuleProblem, RuleSource, RuleSourceKind } from './rule.types.js';

/**
 * The built-in catalogue shipped with the package (`builtin/*.md`). Resolved from this module, so
 * it is found from `src/` (tests) and from `dist/` (the published package) alike.
 * @public
 */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../builtin', import.meta.url));

/**
 * The `[rules]` configuration this library reads.
 * @public
 */
export interface RulesConfig {
  /**
   * More rule directories, searched after the project's and the user's (relative ones from the
   * project root; `~/` from `homeDir`). They add to the defaults rather than replace them.
   */
  readonly discoveryPaths?: readonly string[] | undefined;
  /** Whether the built-in catalogue is loaded (default true). */
  readonly builtin?: boolean | undefined;
  /** The home holding `~/.harness/rules` (default: the OS user's home). */
  readonly homeDir?: string | undefined;
}

/** @public */
export interface DiscoverRulesOptions extends RulesConfig {
  readonly projectRoot: string;
  /** Learned rules, ranked after every rule directory and before the built-ins. */
  readonly learned?: LearnedRuleStore | undefined;
  readonly limits?: Partial<RuleFileLimits> | undefined;
}

/**
 * Loads the rule catalogue of a project, in precedence order: `<project>/.harness/rules/`,
 * `~/.harness/rules/`, each `discoveryPaths` entry, learned rules, then the built-ins. The first
 * definition of an id wins; later ones are reported as shadowed. Unreadable, oversized or invalid
 * files are reported in `problems`; nothing here throws for a bad rule file.
 * @public
 */
export async function discoverRules(options: DiscoverRulesOptions): Promise<RuleCatalogue> {
  const limits = { ...DEFAULT_RULE_FILE_LIMITS, ...options.limits };
  const projectRoot = resolve(options.projectRoot);
  const home = options.homeDir ?? homedir();
  const directories: { path: string; kind: RuleSourceKind; confinedTo?: string }[] = [
    { path: join(projectRoot, '.harness', 'rules'), kind: 'project', confinedTo: projectRoot },
    { path: join(home, '.harness', 'rules'), kind: 'user' },
    ...(options.discoveryPaths ?? []).map((path) => ({
      path: expandPath(path, projectRoot, home),
      kind: 'extra' as const,
    })),
  ];
  const files: LoadedRuleFile[] = [];
  const seen = new Set<string>();
  for (const directory of directories) {
    // The same directory named twice (say, a discovery path that is the user's) is read once.
    if (seen.has(directory.path)) continue;
    seen.add(directory.path);
    files.push(...(await readRuleDirectory(directory.path, directory.kind, limits, directory.confinedTo)));
  }
  if (options.learned !== undefined) files.push(...byFile(await options.learned.list()));
  if (options.builtin !== false) files.push(...(await readRuleDirectory(BUILTIN_RULES_DIR, 'builtin', limits)));
  return createRuleCatalogue(files);
}

function expandPath(path: string, projectRoot: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(projectRoot, path);
}

/** A store's listing regrouped per source file, so the catalogue can say how many came from each. */
function byFile(listing: ParsedRules): LoadedRuleFile[] {
  const files = new Map<string, { source: RuleSource; rules: Rule[]; problems: RuleProblem[] }>();
  const fileOf = (path: string): { rules: Rule[]; problems: RuleProblem[] } => {
    let file = files.get(path);
    if (file === undefined) {
      file = { source: { kind: 'learned', path }, rules: [], problems: [] };
      files.set(path, file);
    }
    return file;
  };
  // Whatever a store says, its rules rank as learned ones.
  for (const rule of listing.rules) {
    fileOf(rule.source.path).rules.push({ ...rule, source: { kind: 'learned', path: rule.source.path } });
  }
  for (const problem of listing.problems) fileOf(problem.source.path).problems.push(problem);
  return [...files.values()];
}

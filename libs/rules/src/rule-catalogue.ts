import { matchesGlob } from './glob.js';
import { RULE_SOURCE_KINDS, type Rule, type RuleProblem, type RuleSource } from './rule.types.js';

/** The rules and problems read from one source file. @public */
export interface LoadedRuleFile {
  readonly source: RuleSource;
  readonly rules: readonly Rule[];
  readonly problems: readonly RuleProblem[];
}

/** How many rules one file contributed (what `harness rule load` prints). @public */
export interface RuleSourceSummary {
  readonly path: string;
  readonly kind: RuleSource['kind'];
  /** Rules of this file in the catalogue. */
  readonly count: number;
  /** Rules of this file hidden by the same id in an earlier source. */
  readonly shadowed: number;
}

/** Whether `rule` applies to the project-relative `file`: no `paths` means every file. @public */
export function ruleAppliesTo(rule: Pick<Rule, 'paths'>, file: string): boolean {
  return rule.paths.length === 0 || rule.paths.some((glob) => matchesGlob(file, glob));
}

/** The rules in effect, where each came from, and everything wrong with the files read. @public */
export class RuleCatalogue {
  private readonly byId: ReadonlyMap<string, Rule>;

  constructor(
    readonly rules: readonly Rule[],
    readonly problems: readonly RuleProblem[],
    readonly sources: readonly RuleSourceSummary[],
  ) {
    this.byId = new Map(rules.map((rule) => [rule.id, rule]));
  }

  /** A catalogue with no rules (guard findings then all count as unknown rules). */
  static empty(): RuleCatalogue {
    return new RuleCatalogue([], [], []);
  }

  find(id: string): Rule | undefined {
    return this.byId.get(id);
  }

  /** The rules whose `paths` cover the project-relative `file`. */
  rulesFor(file: string): Rule[] {
    return this.rules.filter((rule) => ruleAppliesTo(rule, file));
  }
}

/**
 * Merges rule files into one catalogue. Files are taken in source precedence (project, user,
 * extra, learned, builtin; the given order within a kind); the first rule with an id wins and each
 * later one is reported as `shadowed`, naming both files.
 * @public
 */
export function createRuleCatalogue(files: readonly LoadedRuleFile[]): RuleCatalogue {
  const ordered = [...files].sort(
    (a, b) => RULE_SOURCE_KINDS.indexOf(a.source.kind) - RULE_SOURCE_KINDS.indexOf(b.source.kind),
  );
  const kept = new Map<string, Rule>();
  const problems: RuleProblem[] = [];
  const sources: RuleSourceSummary[] = [];
  for (const file of ordered) {
    problems.push(...file.problems);
    let count = 0;
    let shadowed = 0;
    for (const rule of file.rules) {
      const winner = kept.get(rule.id);
      if (winner === undefined) {
        kept.set(rule.id, rule);
        count += 1;
        continue;
      }
      shadowed += 1;
      problems.push({
        code: 'shadowed',
        message:
          `rule ${rule.id} from ${rule.source.path} (${rule.source.kind}) is shadowed by ` +
          `${winner.source.path} (${winner.source.kind})`,
        source: rule.source,
        ruleId: rule.id,
      });
    }
    sources.push({ path: file.source.path, kind: file.source.kind, count, shadowed });
  }
  return new RuleCatalogue([...kept.values()], problems, sources);
}

import { AppError, err, ok, type Result } from '@agent-harness/core';
import { parseRuleFile, RULE_ID_PATTERN } from './parse-rule-file.js';
import type { ParsedRules, Rule, RuleDraft } from './rule.types.js';

/**
 * Where rules learned from adopted GC drafts are kept, so they survive a restart. `list` reports
 * unreadable entries as problems instead of failing; `save` replaces a rule with the same id.
 * @public
 */
export abstract class LearnedRuleStore {
  abstract list(): Promise<ParsedRules>;
  /** Stores the rule and returns it with its source. Throws INVALID_ARGUMENT for a rule that would not read back. */
  abstract save(rule: RuleDraft): Promise<Rule>;
  /** True when a rule with this id was there. */
  abstract remove(id: string): Promise<boolean>;
}

/** The markdown of one rule, in the format `parseRuleFile` reads. @public */
export function formatRuleFile(rule: RuleDraft): string {
  const frontMatter =
    rule.paths.length === 0
      ? ''
      : `---\npaths:\n${rule.paths.map((glob) => `  - "${glob.replace(/["\\]/g, '\\$&')}"\n`).join('')}---\n`;
  const body = rule.body.replace(/\r\n?/g, '\n').trim();
  return `${frontMatter}## ${rule.id}: ${rule.title}\nseverity: ${rule.severity}\n${body === '' ? '' : `\n${body}\n`}`;
}

/**
 * The rule's file text and the rule as it will read back, or why it cannot be stored: it must read
 * back as exactly this rule, so a title spanning lines, a body with its own `## ` heading or
 * `severity:` line, or a bad glob or id (text an agent wrote) is refused rather than stored in a
 * form that changes on the next load.
 */
export function prepareLearnedRule(rule: RuleDraft): Result<{ text: string; rule: RuleDraft }, string> {
  if (!RULE_ID_PATTERN.test(rule.id)) return err(`${JSON.stringify(rule.id)} is not a valid rule id`);
  if (/[\r\n]/.test(rule.title)) return err(`rule ${rule.id}: the title must be one line`);
  const text = formatRuleFile(rule);
  const parsed = parseRuleFile(text, { kind: 'learned', path: `${rule.id}.md` });
  const [first] = parsed.problems;
  if (first !== undefined) return err(`rule ${rule.id} does not read back: ${first.message}`);
  const [read, extra] = parsed.rules;
  const same =
    read !== undefined &&
    extra === undefined &&
    read.id === rule.id &&
    read.title === rule.title &&
    read.severity === rule.severity &&
    read.body === rule.body.replace(/\r\n?/g, '\n').trim() &&
    read.paths.join('\n') === rule.paths.join('\n');
  if (!same) {
    return err(`rule ${rule.id} does not read back as itself (a "## " heading or "severity:" line in its body?)`);
  }
  const { source: _source, ...stored } = read;
  return ok({ text, rule: stored });
}

/** `prepareLearnedRule` for writers: throws INVALID_ARGUMENT for a rule that cannot be stored. */
export function prepareLearnedRuleOrThrow(rule: RuleDraft): { text: string; rule: RuleDraft } {
  const prepared = prepareLearnedRule(rule);
  if (!prepared.ok) throw new AppError('INVALID_ARGUMENT', prepared.error, { details: { ruleId: rule.id } });
  return prepared.value;
}

/** A store in memory, for tests and for callers that do not persist. Checks rules like the file store. @public */
export class InMemoryLearnedRuleStore extends LearnedRuleStore {
  private readonly rules = new Map<string, Rule>();

  list(): Promise<ParsedRules> {
    return Promise.resolve({ rules: [...this.rules.values()], problems: [] });
  }

  save(draft: RuleDraft): Promise<Rule> {
    // Through then(), so an invalid rule rejects like the file store's instead of throwing.
    return Promise.resolve().then(() => {
      const rule: Rule = {
        ...prepareLearnedRuleOrThrow(draft).rule,
        source: { kind: 'learned', path: `memory:${draft.id}` },
      };
      this.rules.set(rule.id, rule);
      return rule;
    });
  }

  remove(id: string): Promise<boolean> {
    return Promise.resolve(this.rules.delete(id));
  }
}

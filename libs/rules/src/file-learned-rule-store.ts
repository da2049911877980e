import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@agent-harness/core';
import { LearnedRuleStore, prepareLearnedRuleOrThrow } from './learned-rule-store.js';
import { RULE_ID_PATTERN } from './parse-rule-file.js';
import { DEFAULT_RULE_FILE_LIMITS, readRuleDirectory } from './read-rule-files.js';
import type { ParsedRules, Rule, RuleDraft } from './rule.types.js';

/**
 * Learned rules as one markdown file per rule, `<dir>/<ID>.md` (e.g. `<data_dir>/rules/learned`),
 * in the same format as hand-written rule files, so a person can read, edit or delete them. Each
 * save writes a temporary file, syncs it and renames it over the old one: a crash leaves either the
 * old rule or the new one, never half a file.
 * @public
 */
export class FileLearnedRuleStore extends LearnedRuleStore {
  constructor(readonly dir: string) {
    super();
  }

  async list(): Promise<ParsedRules> {
    const files = await readRuleDirectory(this.dir, 'learned', { ...DEFAULT_RULE_FILE_LIMITS, maxDepth: 0 });
    return { rules: files.flatMap((file) => file.rules), problems: files.flatMap((file) => file.problems) };
  }

  async save(draft: RuleDraft): Promise<Rule> {
    const { text, rule } = prepareLearnedRuleOrThrow(draft);
    const path = this.pathOf(rule.id);
    // Hidden names are skipped by list(), so a temporary file is never read as a rule.
    const temporary = join(this.dir, `.${rule.id}.${randomUUID()}.tmp`);
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw new AppError('INTERNAL', `could not save learned rule ${rule.id} to ${path}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    return { ...rule, source: { kind: 'learned', path } };
  }

  async remove(id: string): Promise<boolean> {
    const path = this.pathOf(id);
    try {
      await rm(path);
      return true;
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return false;
      throw new AppError('INTERNAL', `could not remove learned rule ${id} (${path}): ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  /** The id is checked first: it becomes a file name. */
  private pathOf(id: string): string {
    if (!RULE_ID_PATTERN.test(id)) {
      throw new AppError('INVALID_ARGUMENT', `${JSON.stringify(id)} is not a valid rule id`, { details: { id } });
    }
    return join(this.dir, `${id}.md`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

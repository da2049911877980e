import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '@agent-harness/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLearnedRuleStore } from './file-learned-rule-store.js';
import type { RuleDraft } from './rule.types.js';

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'harness-learned-'));
  dir = join(root, 'data', 'rules', 'learned');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const draft: RuleDraft = {
  id: 'LEARN-001',
  title: 'Stop a review loop that repeats itself',
  severity: 'high',
  body: 'Two rounds with the same finding mean the fix is not converging: escalate.',
  paths: ['src/**/*.ts'],
};

const isInvalidArgument = (error: unknown): boolean => error instanceof AppError && error.code === 'INVALID_ARGUMENT';

describe('FileLearnedRuleStore', () => {
  it('keeps saved rules across a restart (a new store on the same directory)', async () => {
    const saved = await new FileLearnedRuleStore(dir).save(draft);
    expect(saved.source).toEqual({ kind: 'learned', path: join(dir, 'LEARN-001.md') });

    const { rules, problems } = await new FileLearnedRuleStore(dir).list();
    expect(problems).toEqual([]);
    expect(rules).toEqual([saved]);
    expect(await readFile(join(dir, 'LEARN-001.md'), 'utf8')).toContain('## LEARN-001: Stop a review loop');
  });

  it('replaces a rule saved again under its id and leaves no temporary file behind', async () => {
    const store = new FileLearnedRuleStore(dir);
    await store.save(draft);
    await store.save({ ...draft, severity: 'critical', title: 'Sharper title' });
    expect(await readdir(dir)).toEqual(['LEARN-001.md']);
    expect((await store.list()).rules).toEqual([
      expect.objectContaining({ id: 'LEARN-001', severity: 'critical', title: 'Sharper title' }),
    ]);
  });

  it('removes rules by id', async () => {
    const store = new FileLearnedRuleStore(dir);
    await store.save(draft);
    expect(await store.remove('LEARN-001')).toBe(true);
    expect(await store.remove('LEARN-001')).toBe(false);
    expect((await store.list()).rules).toEqual([]);
  });

  it('refuses ids that could name another file, and rules that would not read back', async () => {
    const store = new FileLearnedRuleStore(dir);
    await expect(store.save({ ...draft, id: '../../escape' })).rejects.toSatisfy(isInvalidArgument);
    await expect(store.save({ ...draft, body: '## SMUGGLED-1: x\nseverity: critical' })).rejects.toSatisfy(
      isInvalidArgument,
    );
    await expect(store.remove('../LEARN-001')).rejects.toSatisfy(isInvalidArgument);
    expect((await store.list()).rules).toEqual([]);
  });

  it('lists an empty store when the directory does not exist yet, and reports a damaged file', async () => {
    const store = new FileLearnedRuleStore(dir);
    expect(await store.list()).toEqual({ rules: [], problems: [] });
    await store.save(draft);
    await writeFile(join(dir, 'LEARN-002.md'), '## LEARN-002: Edited by hand, severity lost\n');
    const { rules, problems } = await store.list();
    expect(rules.map((rule) => rule.id)).toEqual(['LEARN-001']);
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'missing_severity',
        source: { kind: 'learned', path: join(dir, 'LEARN-002.md') },
      }),
    ]);
  });
});

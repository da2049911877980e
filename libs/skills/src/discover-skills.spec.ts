import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempDir, type TempDir } from '@agent-harness/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_SKILLS_DIR, discoverSkills } from './discover-skills.js';
import { MAX_SKILL_BYTES } from './parse-skill.js';

let temp: TempDir;
let projectRoot: string;
let homeDir: string;
let dataDir: string;

beforeEach(async () => {
  temp = await createTempDir('harness-skills-');
  projectRoot = join(temp.path, 'project');
  homeDir = join(temp.path, 'home');
  dataDir = join(temp.path, 'data');
});

afterEach(async () => {
  await temp.cleanup();
});

async function put(dir: string, name: string, text: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

const projectSkills = (): string => join(projectRoot, '.harness', 'skills');
const userSkills = (): string => join(homeDir, '.harness', 'skills');
const dataSkills = (): string => join(dataDir, 'skills');

describe('discoverSkills', () => {
  it('loads the built-ins: review, build-fix and preflight among them, each with trigger patterns', async () => {
    const { skills, problems } = await discoverSkills({ homeDir });
    expect(problems).toEqual([]);
    const names = skills.map((skill) => skill.name);
    expect(names).toEqual(expect.arrayContaining(['build-fix', 'preflight', 'review', 'security-check', 'test-first']));
    expect(names).toEqual([...names].sort());
    for (const skill of skills) {
      expect(skill).toMatchObject({ tier: 'builtin', id: `builtin:${skill.name}` });
      expect(skill.triggerPatterns.length).toBeGreaterThan(0);
      expect(skill.path).toBe(join(BUILTIN_SKILLS_DIR, `${skill.name}.md`));
    }
  });

  it('takes a name from the highest tier: project > user > data > builtin', async () => {
    await put(projectSkills(), 'review.md', '# Project review\n');
    await put(userSkills(), 'review.md', '# User review\n');
    await put(userSkills(), 'mine.md', '# User skill\n');
    await put(dataSkills(), 'mine.md', '# Learned mine\n');
    await put(dataSkills(), 'learned.md', '# Learned skill\n');

    const { skills, problems } = await discoverSkills({ projectRoot, homeDir, dataDir });

    expect(problems).toEqual([]);
    const byName = new Map(skills.map((skill) => [skill.name, skill]));
    expect(byName.get('review')).toMatchObject({ id: 'project:review', description: 'Project review' });
    expect(byName.get('mine')).toMatchObject({ id: 'user:mine', description: 'User skill' });
    expect(byName.get('learned')).toMatchObject({ id: 'data:learned', path: join(dataSkills(), 'learned.md') });
    expect(byName.get('build-fix')?.id).toBe('builtin:build-fix');
    expect(skills.filter((skill) => skill.name === 'review')).toHaveLength(1);
  });

  it('gives the same ids on every discovery', async () => {
    await put(projectSkills(), 'local.md', '# Local\n');
    const first = await discoverSkills({ projectRoot, homeDir, dataDir });
    const second = await discoverSkills({ projectRoot, homeDir, dataDir });
    expect(second.skills.map((skill) => skill.id)).toEqual(first.skills.map((skill) => skill.id));
    expect(first.skills.find((skill) => skill.name === 'local')?.id).toBe('project:local');
  });

  it('skips the built-ins when asked', async () => {
    await put(dataSkills(), 'only.md', '# Only\n');
    const { skills } = await discoverSkills({ homeDir, dataDir, builtin: false });
    expect(skills.map((skill) => skill.id)).toEqual(['data:only']);
  });

  it('reads only *.md files directly in the directory, skipping hidden ones', async () => {
    await put(projectSkills(), 'a.md', '# A\n');
    await put(projectSkills(), '.hidden.md', '# Hidden\n');
    await put(projectSkills(), 'notes.txt', 'not a skill');
    await put(join(projectSkills(), 'nested'), 'deep.md', '# Deep\n');
    const { skills, problems } = await discoverSkills({ projectRoot, homeDir, builtin: false });
    expect(skills.map((skill) => skill.name)).toEqual(['a']);
    expect(problems).toEqual([]);
  });

  it('reports bad files as problems and keeps the good ones', async () => {
    const big = await put(projectSkills(), 'big.md', `# Big\n${'x'.repeat(MAX_SKILL_BYTES)}`);
    const nul = await put(projectSkills(), 'nul.md', '# Nul\u0000');
    const badName = await put(projectSkills(), 'bad name.md', '# Bad name\n');
    const broken = await put(projectSkills(), 'broken.md', '---\nversion: 1\n# never closed');
    await put(projectSkills(), 'good.md', '# Good\n');

    const { skills, problems } = await discoverSkills({ projectRoot, homeDir, builtin: false });

    expect(skills.map((skill) => skill.name)).toEqual(['good']);
    expect(problems).toEqual([
      { tier: 'project', path: badName, message: expect.stringMatching(/not a valid skill name/) as unknown },
      { tier: 'project', path: big, message: expect.stringMatching(/larger than 65536 bytes/) as unknown },
      { tier: 'project', path: broken, message: expect.stringMatching(/never closed/) as unknown },
      { tier: 'project', path: nul, message: expect.stringMatching(/NUL/) as unknown },
    ]);
  });

  it('follows symlinks inside the directory only', async () => {
    const outside = await put(temp.path, 'secret.md', '# Outside\n');
    await put(projectSkills(), 'real.md', '# Real\n');
    await symlink(outside, join(projectSkills(), 'escape.md'));
    await symlink(join(projectSkills(), 'real.md'), join(projectSkills(), 'alias.md'));

    const { skills, problems } = await discoverSkills({ projectRoot, homeDir, builtin: false });

    expect(skills.map((skill) => skill.name)).toEqual(['alias', 'real']);
    expect(problems).toEqual([
      {
        tier: 'project',
        path: join(projectSkills(), 'escape.md'),
        message: expect.stringMatching(/leads out of/) as unknown,
      },
    ]);
  });

  it("refuses a project's skill directory that resolves outside the project", async () => {
    await put(join(temp.path, 'elsewhere'), 'planted.md', '# Planted\n');
    await mkdir(join(projectRoot, '.harness'), { recursive: true });
    await symlink(join(temp.path, 'elsewhere'), projectSkills());

    const { skills, problems } = await discoverSkills({ projectRoot, homeDir, builtin: false });

    expect(skills).toEqual([]);
    expect(problems).toEqual([
      { tier: 'project', path: projectSkills(), message: expect.stringMatching(/outside/) as unknown },
    ]);
  });

  it('reads at most 500 files per directory and says so', async () => {
    await mkdir(dataSkills(), { recursive: true });
    await Promise.all(
      Array.from({ length: 502 }, (_, i) =>
        writeFile(join(dataSkills(), `s${String(i).padStart(3, '0')}.md`), '# S\n'),
      ),
    );
    const { skills, problems } = await discoverSkills({ homeDir, dataDir, builtin: false });
    expect(skills).toHaveLength(500);
    expect(problems).toEqual([
      {
        tier: 'data',
        path: dataSkills(),
        message: expect.stringMatching(/502 skill files; only the first 500/) as unknown,
      },
    ]);
  });
});

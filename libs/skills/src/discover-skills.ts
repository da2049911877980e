import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSkillDirectory, type SkillListing } from './read-skill-directory.js';
import type { Skill, SkillProblem, SkillTier } from './skill.types.js';

/**
 * The built-in skills shipped with the package (`builtin/*.md`). Resolved from this module, so it
 * is found from `src/` (tests) and from `dist/` (the published package) alike.
 * @public
 */
export const BUILTIN_SKILLS_DIR = fileURLToPath(new URL('../builtin', import.meta.url));

/** @public */
export interface DiscoverSkillsOptions {
  /** Reads `<projectRoot>/.harness/skills/` (which must resolve inside the project). */
  readonly projectRoot?: string | undefined;
  /** Reads `<homeDir>/.harness/skills/`; default the OS user's home. */
  readonly homeDir?: string | undefined;
  /** Reads `<dataDir>/skills/`, where `SkillStore` writes created and learned skills. */
  readonly dataDir?: string | undefined;
  /** Whether the built-ins are loaded (default true). */
  readonly builtin?: boolean | undefined;
}

/** The skill directory of the data tier, the one a `SkillStore` should write to. @public */
export function dataSkillsDir(dataDir: string): string {
  return join(dataDir, 'skills');
}

/**
 * Loads every skill in effect, highest tier first: project > user > data > builtin. A name defined
 * in several tiers is taken from the highest. Skills come back sorted by name; unreadable or
 * invalid files are `problems` (nothing here throws for a bad file).
 * @public
 */
export async function discoverSkills(options: DiscoverSkillsOptions = {}): Promise<SkillListing> {
  const home = options.homeDir ?? homedir();
  const directories: { path: string; tier: SkillTier; confinedTo?: string }[] = [];
  if (options.projectRoot !== undefined) {
    const projectRoot = resolve(options.projectRoot);
    directories.push({ path: join(projectRoot, '.harness', 'skills'), tier: 'project', confinedTo: projectRoot });
  }
  directories.push({ path: join(resolve(home), '.harness', 'skills'), tier: 'user' });
  if (options.dataDir !== undefined) directories.push({ path: dataSkillsDir(resolve(options.dataDir)), tier: 'data' });
  if (options.builtin !== false) directories.push({ path: BUILTIN_SKILLS_DIR, tier: 'builtin' });

  const byName = new Map<string, Skill>();
  const problems: SkillProblem[] = [];
  const seen = new Set<string>();
  for (const directory of directories) {
    // One directory named by two tiers (a data dir inside the home, say) is read once, as the higher.
    if (seen.has(directory.path)) continue;
    seen.add(directory.path);
    const listing = await readSkillDirectory(directory.path, directory.tier, { confinedTo: directory.confinedTo });
    problems.push(...listing.problems);
    for (const skill of listing.skills) if (!byName.has(skill.name)) byName.set(skill.name, skill);
  }
  const skills = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { skills, problems };
}

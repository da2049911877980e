import { parseSkill } from '../src/parse-skill.js';
import type { Skill, SkillTier } from '../src/skill.types.js';

/** A parsed skill for tests (throws on bad input so a broken fixture is loud). */
export function testSkill(name: string, body: string, tier: SkillTier = 'builtin'): Skill {
  const parsed = parseSkill(name, body, tier);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

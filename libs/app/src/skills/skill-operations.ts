import { AppError } from '@agent-harness/core';
import { defineOperation } from '../operation.js';
import { projectOf } from '../input/project-input.js';
import type { ProjectPorts } from '../project-ports.js';
import { SkillCreateInput, SkillDeleteInput, SkillIdInput, SkillListInput } from './skill-inputs.js';
import type { ListedSkill, SkillsService } from './skills-service.js';

/** A skill as the operations list it. */
function skillSummary({ skill, governance, uses }: ListedSkill) {
  return {
    id: skill.id,
    name: skill.name,
    tier: skill.tier,
    description: skill.description,
    version: skill.version,
    trigger_patterns: skill.triggerPatterns,
    status: governance?.status ?? 'active',
    uses,
  };
}

/** The ports of the skill operations. */
export interface SkillPorts extends ProjectPorts {
  readonly skills: Pick<SkillsService, 'list' | 'create' | 'delete'>;
}

export const skillList = defineOperation({
  name: 'skill_list',
  summary: 'Skills (built in, the user’s, the project’s), optionally matching a query, with their use counts',
  input: SkillListInput,
  async execute(ports: SkillPorts, input) {
    const project = projectOf(input);
    const query = input.query;
    const root = project === undefined ? undefined : (await ports.engine.resolveProject(project)).root;
    const skills = await ports.skills.list({ projectRoot: root, query });
    return { skills: skills.map(skillSummary) };
  },
});

export const skillGet = defineOperation({
  name: 'skill_get',
  summary: 'One skill with its content: by `<tier>:<name>`, or by name (the highest tier wins)',
  input: SkillIdInput,
  async execute(ports: SkillPorts, { skill_id }) {
    const skills = await ports.skills.list();
    const found = skills.find((s) => s.skill.id === skill_id) ?? skills.find((s) => s.skill.name === skill_id);
    if (found === undefined) throw new AppError('NOT_FOUND', `no skill ${skill_id}`);
    return { ...skillSummary(found), content_hash: found.skill.contentHash, content: found.skill.content };
  },
});

export const skillCreate = defineOperation({
  name: 'skill_create',
  summary: 'Write a skill into `<data_dir>/skills` (replace: overwrite one of the same name)',
  input: SkillCreateInput,
  async execute(ports: SkillPorts, { name, content, replace }) {
    const skill = await ports.skills.create(name, content, replace ?? false);
    return {
      id: skill.id,
      name: skill.name,
      tier: skill.tier,
      content_hash: skill.contentHash,
      // What makes it injected into a task prompt; none: only when named.
      trigger_patterns: skill.triggerPatterns,
    };
  },
});

export const skillDelete = defineOperation({
  name: 'skill_delete',
  summary: 'Delete a skill of `<data_dir>/skills`',
  input: SkillDeleteInput,
  async execute(ports: SkillPorts, { name }) {
    await ports.skills.delete(name);
    return { deleted: true as const, name };
  },
});

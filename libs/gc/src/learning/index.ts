// The learning area of @agent-harness/gc: the prompts and parsers that turn adopted drafts into rules and skills.
export { MAX_LEARNED_PER_ANSWER } from './answer-text.js';
export { MAX_LEARNED_RULE_BODY, MAX_LEARNED_RULE_TITLE, parseLearnedRules } from './parse-learned-rules.js';
export type { LearnedRules } from './parse-learned-rules.js';
export {
  MAX_LEARNED_SKILL_BYTES,
  SKILL_NAME_PATTERN,
  isValidSkillName,
  parseLearnedSkills,
} from './parse-learned-skills.js';
export type { LearnedSkill, LearnedSkills } from './parse-learned-skills.js';
export { MAX_LEARN_PROMPT_CHARS } from './drafts-as-data.js';
export { learnRulesPrompt, learnSkillsPrompt } from './learn-prompts.js';

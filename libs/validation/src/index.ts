// Public API of @agent-harness/validation.
export {
  CommandRunner,
  LANGUAGES,
  defaultCommands,
  detectLanguages,
  failed,
  fixPrompt,
  runChecks,
  validationCommands,
} from './validation-plan.js';
export type { CommandOutcome, Language } from './validation-plan.js';

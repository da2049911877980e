import { defineOperation } from '../operation.js';
import { ProjectInput, projectOf } from '../input/project-input.js';
import { projectName, scannedProject, type ProjectPorts } from '../project-ports.js';
import type { RulesService } from './rules-service.js';
import type { RuleCatalogue } from '@agent-harness/rules';

/** Violations listed in one answer; `violation_count` counts them all. */
const MAX_VIOLATIONS_SHOWN = 1000;

/** The ports of the rule and health operations. */
export interface RulePorts extends ProjectPorts {
  readonly rules: Pick<RulesService, 'loadRules' | 'scan' | 'health'>;
}

/** What `rule_load` answers of a loaded catalogue (`harness rule load --json` prints the same). */
export function ruleLoadAnswer(catalogue: RuleCatalogue) {
  return {
    rules_count: catalogue.rules.length,
    rules: catalogue.rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity, source: r.source })),
    problems: catalogue.problems,
  };
}

export const ruleLoad = defineOperation({
  name: 'rule_load',
  summary: "The rules that apply to a project (built in, the user's, the project's) and any that could not be read",
  input: ProjectInput,
  async execute(ports: RulePorts, input) {
    return ruleLoadAnswer(await ports.rules.loadRules(await scannedProject(ports, projectOf(input))));
  },
});

export const ruleCheck = defineOperation({
  name: 'rule_check',
  summary: "Scan a project with its rules' guards; the scan is stored, as `harness rule check` does",
  input: ProjectInput,
  async execute(ports: RulePorts, input) {
    const scan = await ports.rules.scan(await scannedProject(ports, projectOf(input)));
    const { violations, problems } = scan.result;
    return {
      scan_id: scan.scanId,
      project: scan.project,
      violation_count: violations.length,
      violations: violations.slice(0, MAX_VIOLATIONS_SHOWN),
      problems,
    };
  },
});

export const healthCheck = defineOperation({
  name: 'health_check',
  summary: 'The health report (grade and score from the last 30 days of events and the latest scans)',
  input: ProjectInput,
  async execute(ports: RulePorts, input) {
    return ports.rules.health(await projectName(ports, projectOf(input)));
  },
});

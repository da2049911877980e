import type { TaskEngine } from '@agent-harness/pipeline';
import type { ScannedProject } from './rules/rules-service.js';

/** How operations find the project a `project` input names (its name or root; absent: the default). */
export interface ProjectPorts {
  readonly engine: Pick<TaskEngine, 'resolveProject'>;
}

/** The project named, as the scans take it. */
export async function scannedProject(ports: ProjectPorts, given: string | undefined): Promise<ScannedProject> {
  const { name, root } = await ports.engine.resolveProject(given);
  return { name, root };
}

/** The name of the project named, or undefined for "every project". */
export async function projectName(ports: ProjectPorts, given: string | undefined): Promise<string | undefined> {
  return given === undefined ? undefined : (await ports.engine.resolveProject(given)).name;
}

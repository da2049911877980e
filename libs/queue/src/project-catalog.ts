/** A project Harness works on. @public */
export interface Project {
  readonly name: string;
  /** Canonical path of the repository's top directory. */
  readonly root: string;
  readonly isDefault: boolean;
  readonly defaultAgent?: string | undefined;
  readonly maxConcurrent?: number | undefined;
  readonly repo?: string | undefined;
  readonly baseBranch?: string | undefined;
  /** `config`: from the config file; `api`: registered at runtime. */
  readonly origin: 'config' | 'api';
  /** An inactive project is listed but takes no new tasks. */
  readonly active: boolean;
}

/**
 * The projects the server knows: those of the config file and those registered at runtime.
 * @public
 */
export abstract class ProjectCatalog {
  /** Every project, active or not. */
  abstract list(): Promise<Project[]>;
  abstract get(name: string): Promise<Project | undefined>;
  abstract add(project: Project): Promise<void>;
  abstract remove(name: string): Promise<void>;
}

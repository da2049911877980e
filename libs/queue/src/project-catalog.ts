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

/** The settings of a project that can change at runtime; undefined fields are kept. @public */
export interface ProjectSettings {
  readonly defaultAgent?: string | undefined;
  readonly maxConcurrent?: number | undefined;
  readonly repo?: string | undefined;
  readonly baseBranch?: string | undefined;
  readonly active?: boolean | undefined;
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
  /**
   * Changes the settings of a project registered at runtime (`origin` api), in one write that
   * touches only the given fields: the project as it is now, or undefined when there is no such
   * project (it was removed meanwhile, or it is the config file's).
   */
  abstract update(name: string, changes: ProjectSettings): Promise<Project | undefined>;
  abstract remove(name: string): Promise<void>;
}

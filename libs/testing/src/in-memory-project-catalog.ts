import { ProjectCatalog, type Project, type ProjectSettings } from '@agent-harness/queue';

/**
 * The ProjectCatalog port in memory, for unit tests, with the SQL adapter's behaviour
 * (`projectCatalogContract` checks both): listed by when each was added, then by name; adding a
 * name again replaces the project and counts as a new addition; removing an unknown name is no error.
 * @public
 */
export class InMemoryProjectCatalog extends ProjectCatalog {
  private readonly projects = new Map<string, { readonly project: Project; readonly addedAt: string }>();

  constructor(
    initial: readonly Project[] = [],
    private readonly now: () => string = () => new Date().toISOString(),
  ) {
    super();
    for (const project of initial) this.projects.set(project.name, { project: { ...project }, addedAt: this.now() });
  }

  override list(): Promise<Project[]> {
    const entries = [...this.projects.values()].sort((a, b) =>
      a.addedAt === b.addedAt
        ? a.project.name < b.project.name
          ? -1
          : a.project.name > b.project.name
            ? 1
            : 0
        : a.addedAt < b.addedAt
          ? -1
          : 1,
    );
    return Promise.resolve(entries.map((e) => ({ ...e.project })));
  }

  override get(name: string): Promise<Project | undefined> {
    const entry = this.projects.get(name);
    return Promise.resolve(entry === undefined ? undefined : { ...entry.project });
  }

  override add(project: Project): Promise<void> {
    this.projects.set(project.name, { project: { ...project }, addedAt: this.now() });
    return Promise.resolve();
  }

  override update(name: string, changes: ProjectSettings): Promise<Project | undefined> {
    const entry = this.projects.get(name);
    if (entry?.project.origin !== 'api') return Promise.resolve(undefined);
    const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const project: Project = { ...entry.project, ...given };
    // Changed in place: it keeps its place in the list.
    this.projects.set(name, { project, addedAt: entry.addedAt });
    return Promise.resolve({ ...project });
  }

  override remove(name: string): Promise<void> {
    this.projects.delete(name);
    return Promise.resolve();
  }
}

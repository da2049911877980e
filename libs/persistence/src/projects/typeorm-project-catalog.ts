import { ProjectCatalog, type Project, type ProjectSettings } from '@agent-harness/queue';
import { EntitySchema, type DataSource } from 'typeorm';

interface ProjectRow {
  name: string;
  root: string;
  /** SQLite hands booleans back as 0 or 1. */
  is_default: boolean | number;
  default_agent: string | null;
  max_concurrent: number | null;
  repo: string | null;
  base_branch: string | null;
  origin: string;
  active: boolean | number;
  created_at: string;
  updated_at: string;
}

export const ProjectEntity = new EntitySchema<ProjectRow>({
  name: 'ProjectRow',
  tableName: 'projects',
  columns: {
    name: { type: 'varchar', primary: true },
    root: { type: 'varchar' },
    is_default: { type: 'boolean' },
    default_agent: { type: 'varchar', nullable: true },
    max_concurrent: { type: 'integer', nullable: true },
    repo: { type: 'varchar', nullable: true },
    base_branch: { type: 'varchar', nullable: true },
    origin: { type: 'varchar' },
    active: { type: 'boolean' },
    created_at: { type: 'varchar' },
    updated_at: { type: 'varchar' },
  },
});

function toRow(project: Project, now: string): ProjectRow {
  return {
    name: project.name,
    root: project.root,
    is_default: project.isDefault,
    default_agent: project.defaultAgent ?? null,
    max_concurrent: project.maxConcurrent ?? null,
    repo: project.repo ?? null,
    base_branch: project.baseBranch ?? null,
    origin: project.origin,
    active: project.active,
    created_at: now,
    updated_at: now,
  };
}

function fromRow(row: ProjectRow): Project {
  return {
    name: row.name,
    root: row.root,
    isDefault: Boolean(row.is_default),
    defaultAgent: row.default_agent ?? undefined,
    maxConcurrent: row.max_concurrent ?? undefined,
    repo: row.repo ?? undefined,
    baseBranch: row.base_branch ?? undefined,
    origin: row.origin === 'api' ? 'api' : 'config',
    active: Boolean(row.active),
  };
}

/** @public */
export interface ProjectCatalogOptions {
  /** How long `list()` answers from memory (every submit reads it). Default 1000 ms; 0 turns it off. */
  readonly listTtlMs?: number | undefined;
  /** A monotonic clock in milliseconds (for the TTL). Default `performance.now`. */
  readonly monotonicMs?: (() => number) | undefined;
  /**
   * This server's own checkout of each config project, by name: the root it reads, whatever root
   * another server sharing the database wrote (in a fleet each server has its own checkouts).
   */
  readonly localRoots?: ReadonlyMap<string, string> | undefined;
}

/**
 * Projects in the `projects` table. The config file's projects are written at start (they win over a
 * runtime project of the same name); runtime ones survive restarts. The list is kept in memory for
 * a short while: this catalog's own changes drop it at once, another process's show within the TTL.
 * @public
 */
export class TypeOrmProjectCatalog extends ProjectCatalog {
  private cached: { readonly at: number; readonly projects: readonly Project[] } | undefined;
  /** Raised by every change, so a read that overlapped one is not kept. */
  private generation = 0;
  private readonly listTtlMs: number;
  private readonly monotonicMs: () => number;
  private readonly localRoots: ReadonlyMap<string, string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => string = () => new Date().toISOString(),
    options: ProjectCatalogOptions = {},
  ) {
    super();
    this.listTtlMs = options.listTtlMs ?? 1000;
    this.monotonicMs = options.monotonicMs ?? (() => performance.now());
    this.localRoots = options.localRoots ?? new Map();
  }

  /** A stored project, with this server's own root when it has one. */
  private project(row: ProjectRow): Project {
    const project = fromRow(row);
    const local = this.localRoots.get(project.name);
    return local === undefined ? project : { ...project, root: local };
  }

  private get rows() {
    return this.dataSource.getRepository(ProjectEntity);
  }

  private changed(): void {
    this.cached = undefined;
    this.generation++;
  }

  async list(): Promise<Project[]> {
    const at = this.monotonicMs();
    if (this.cached !== undefined && at - this.cached.at < this.listTtlMs)
      return this.cached.projects.map((p) => ({ ...p }));
    const generation = this.generation;
    const rows = await this.rows.find({ order: { created_at: 'ASC', name: 'ASC' } });
    const projects = rows.map((row) => this.project(row));
    if (generation === this.generation) this.cached = { at, projects };
    return projects.map((p) => ({ ...p }));
  }

  async get(name: string): Promise<Project | undefined> {
    const row = await this.rows.findOneBy({ name });
    return row === null ? undefined : this.project(row);
  }

  async add(project: Project): Promise<void> {
    this.changed();
    try {
      await this.rows.save(toRow(project, this.now()));
    } finally {
      this.changed();
    }
  }

  async update(name: string, changes: ProjectSettings): Promise<Project | undefined> {
    const columns: Partial<ProjectRow> = {
      ...(changes.defaultAgent === undefined ? {} : { default_agent: changes.defaultAgent }),
      ...(changes.maxConcurrent === undefined ? {} : { max_concurrent: changes.maxConcurrent }),
      ...(changes.repo === undefined ? {} : { repo: changes.repo }),
      ...(changes.baseBranch === undefined ? {} : { base_branch: changes.baseBranch }),
      ...(changes.active === undefined ? {} : { active: changes.active }),
      updated_at: this.now(),
    };
    this.changed();
    try {
      // One conditional write: a project removed, or made the config file's, meanwhile is not brought back.
      const result = await this.rows.update({ name, origin: 'api' }, columns);
      if (result.affected === 0) return undefined;
    } finally {
      this.changed();
    }
    return this.get(name);
  }

  async remove(name: string): Promise<void> {
    this.changed();
    try {
      await this.rows.delete({ name });
    } finally {
      this.changed();
    }
  }

  /**
   * Makes the table match the config file: its projects are written (replacing a runtime project of
   * the same name or root), and config projects no longer in the file are removed.
   */
  async syncFromConfig(projects: readonly Project[]): Promise<void> {
    this.changed();
    await this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(ProjectEntity);
      const names = new Set(projects.map((p) => p.name));
      const roots = new Set(projects.map((p) => p.root));
      for (const row of await repo.find()) {
        const stale = row.origin === 'config' && !names.has(row.name);
        const shadowed = row.origin === 'api' && (names.has(row.name) || roots.has(row.root));
        if (stale || shadowed) await repo.delete({ name: row.name });
      }
      const now = this.now();
      for (const p of projects) await repo.save(toRow({ ...p, origin: 'config' }, now));
    });
    this.changed();
  }
}

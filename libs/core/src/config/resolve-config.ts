import { parse as parseToml, TomlError } from 'smol-toml';
import { err, ok } from '../result.js';
import { ConfigError } from './config.error.js';
import { upgradeOriginalKeys } from './original-keys.js';
import { configSchema, projectNameField, TRANSPORTS, type HarnessConfig, type ProjectConfig } from './config.schema.js';
import { expandPath, type ConfigProblem, type ParseContext } from './schema.js';

/** What a directory named as a project root turned out to be. @public */
export type DirectoryInspection =
  | { readonly kind: 'git-repository'; readonly realPath: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'not-a-directory' }
  | { readonly kind: 'not-a-git-repository' };

/**
 * A resolved configuration, or every problem of it. `notes` says what was done with keys of the
 * original harness (renamed, or ignored and why): shown once as a warning. @public
 */
export type ConfigResult =
  | { readonly ok: true; readonly value: HarnessConfig; readonly notes: readonly string[] }
  | { readonly ok: false; readonly error: ConfigError };

/** Command-line flags that override the file. @public */
export interface CliOverrides {
  readonly transport?: string | undefined;
  readonly port?: number | undefined;
  /** `NAME=PATH` pairs from repeated `--project` flags. */
  readonly projects?: readonly string[] | undefined;
  readonly defaultProject?: string | undefined;
  readonly projectRoot?: string | undefined;
}

/** @public */
export interface ResolveConfigInput {
  /** The TOML file, when one was given. */
  readonly file?: { readonly path: string; readonly text: string } | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  /** Directory relative CLI paths are resolved against. */
  readonly cwd: string;
  readonly cli?: CliOverrides | undefined;
  /** Checks project roots; without it project roots are not checked on disk. */
  readonly inspectDirectory?: ((path: string) => DirectoryInspection) | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type ProjectDraft = Mutable<ProjectConfig> & { label: string };

/**
 * Builds the configuration from defaults < file < environment < command-line flags, and reports
 * every problem at once, each with its TOML path (or the flag it came from).
 * @public
 */
export function resolveConfig(input: ResolveConfigInput): ConfigResult {
  const source = input.file?.path;
  let raw: unknown = {};
  let notes: readonly string[] = [];
  if (input.file !== undefined) {
    try {
      // The original harness's keys are made current first: its files load (see original-keys.ts).
      ({ raw, notes } = upgradeOriginalKeys(parseToml(input.file.text)));
    } catch (error) {
      return err(new ConfigError([tomlProblem(error)], source));
    }
  }
  const ctx: ParseContext = {
    problems: [],
    env: input.env,
    homeDir: input.homeDir,
    baseDir: source === undefined ? input.cwd : dirname(source),
  };
  const parsed = configSchema.parse(raw, '', ctx);
  const cliCtx: ParseContext = { ...ctx, baseDir: input.cwd };
  const server = { ...parsed.server };
  applyServerFlags(server, input.cli ?? {}, cliCtx);
  const projects = mergeProjects(parsed.projects, server, input.cli ?? {}, cliCtx);
  if (input.inspectDirectory !== undefined) checkProjectRoots(projects, input.inspectDirectory, ctx.problems);
  if (ctx.problems.length > 0) return err(new ConfigError(ctx.problems, source));
  const config: HarnessConfig = {
    ...parsed,
    server,
    projects: projects.map(({ label: _label, ...project }) => project),
  };
  return { ...ok(deepFreeze(config)), notes };
}

function tomlProblem(error: unknown): ConfigProblem {
  if (error instanceof TomlError) {
    const firstLine = error.message.split('\n')[0] ?? error.message;
    return {
      path: `line ${String(error.line)}, column ${String(error.column)}`,
      message: `invalid TOML: ${firstLine}`,
    };
  }
  return { path: '(file)', message: `invalid TOML: ${String(error)}` };
}

function dirname(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

function applyServerFlags(server: Mutable<HarnessConfig['server']>, cli: CliOverrides, ctx: ParseContext): void {
  if (cli.transport !== undefined) {
    if ((TRANSPORTS as readonly string[]).includes(cli.transport))
      server.transport = cli.transport as typeof server.transport;
    else
      ctx.problems.push({
        path: '--transport',
        message: `must be one of ${TRANSPORTS.map((t) => `"${t}"`).join(', ')}`,
      });
  }
  if (cli.port !== undefined) {
    if (Number.isInteger(cli.port) && cli.port >= 0 && cli.port <= 65535) {
      const host = server.http_addr.slice(0, server.http_addr.lastIndexOf(':'));
      server.http_addr = `${host}:${String(cli.port)}`;
      // A port only means something to the HTTP server, so asking for one selects it.
      if (cli.transport === undefined) server.transport = 'http';
    } else {
      ctx.problems.push({ path: '--port', message: 'must be an integer from 0 to 65535' });
    }
  }
  if (cli.projectRoot !== undefined) server.project_root = expandPath(cli.projectRoot, ctx);
}

function mergeProjects(
  fromFile: readonly ProjectConfig[],
  server: HarnessConfig['server'],
  cli: CliOverrides,
  ctx: ParseContext,
): ProjectDraft[] {
  const projects: ProjectDraft[] = fromFile.map((p, i) => ({ ...p, label: `projects[${String(i)}]` }));
  reportDuplicateNames(projects, ctx.problems);

  for (const flag of cli.projects ?? []) {
    const label = `--project ${flag}`;
    const eq = flag.indexOf('=');
    if (eq <= 0 || eq === flag.length - 1) {
      ctx.problems.push({ path: label, message: 'must be NAME=PATH, e.g. --project my-app=/src/my-app' });
      continue;
    }
    const name = projectNameField().parse(flag.slice(0, eq), label, ctx);
    const root = expandPath(flag.slice(eq + 1), ctx);
    const existing = projects.find((p) => p.name === name);
    // The command line wins on a name conflict: it moves the project, other settings stay.
    if (existing !== undefined) Object.assign(existing, { root, label });
    else
      projects.push({
        name,
        root,
        default: false,
        default_agent: undefined,
        max_concurrent: undefined,
        repo: undefined,
        base_branch: undefined,
        daily_usd: undefined,
        setup: undefined,
        setup_secret_env: undefined,
        dependency_dirs: undefined,
        approvals_before: undefined,
        label,
      });
  }

  if (server.project_root !== undefined) {
    const label = cli.projectRoot !== undefined ? '--project-root' : 'server.project_root';
    if (projects.length > 0) {
      ctx.problems.push({
        path: label,
        message:
          'is for single-project mode and cannot be combined with [[projects]] or --project; mark the default project with default = true or --default-project',
      });
    } else {
      projects.push({
        name: nameFromDirectory(server.project_root),
        root: server.project_root,
        default: true,
        default_agent: undefined,
        max_concurrent: undefined,
        repo: undefined,
        base_branch: undefined,
        daily_usd: undefined,
        setup: undefined,
        setup_secret_env: undefined,
        dependency_dirs: undefined,
        approvals_before: undefined,
        label,
      });
    }
  }
  chooseDefaultProject(projects, cli.defaultProject, ctx.problems);
  return projects;
}

function reportDuplicateNames(projects: readonly ProjectDraft[], problems: ConfigProblem[]): void {
  const seen = new Map<string, string>();
  for (const project of projects) {
    const first = seen.get(project.name);
    if (first !== undefined)
      problems.push({
        path: `${project.label}.name`,
        message: `duplicate project name "${project.name}" (also ${first})`,
      });
    else seen.set(project.name, project.label);
  }
}

function nameFromDirectory(root: string): string {
  const base = root.split('/').filter(Boolean).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return cleaned === '' ? 'default' : cleaned;
}

function chooseDefaultProject(projects: ProjectDraft[], wanted: string | undefined, problems: ConfigProblem[]): void {
  if (wanted !== undefined) {
    const chosen = projects.find((p) => p.name === wanted);
    if (chosen === undefined) {
      const known = projects.map((p) => `"${p.name}"`).join(', ') || 'none';
      problems.push({ path: '--default-project', message: `no project named "${wanted}" (projects: ${known})` });
      return;
    }
    for (const p of projects) p.default = p === chosen;
    return;
  }
  const marked = projects.filter((p) => p.default);
  if (marked.length > 1) {
    problems.push({
      path: 'projects',
      message: `only one project may set default = true (found ${marked.map((p) => `"${p.name}"`).join(', ')})`,
    });
    return;
  }
  const first = projects[0];
  if (marked.length === 0 && first !== undefined) first.default = true;
}

function checkProjectRoots(
  projects: ProjectDraft[],
  inspect: (path: string) => DirectoryInspection,
  problems: ConfigProblem[],
): void {
  const byRoot = new Map<string, string>();
  for (const project of projects) {
    const path = project.label.startsWith('projects[') ? `${project.label}.root` : project.label;
    const found = inspect(project.root);
    switch (found.kind) {
      case 'missing':
        problems.push({ path, message: `${project.root} does not exist` });
        break;
      case 'not-a-directory':
        problems.push({ path, message: `${project.root} is not a directory` });
        break;
      case 'not-a-git-repository':
        problems.push({
          path,
          message: `${project.root} is not a git repository (no .git there); run "git init" in it or point at the repository's top directory`,
        });
        break;
      case 'git-repository': {
        project.root = found.realPath;
        const other = byRoot.get(found.realPath);
        if (other !== undefined)
          problems.push({ path, message: `${found.realPath} is already the root of project "${other}"` });
        else byRoot.set(found.realPath, project.name);
        break;
      }
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

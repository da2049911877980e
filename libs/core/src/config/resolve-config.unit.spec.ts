import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.error.js';
import type { HarnessConfig } from './config.schema.js';
import { resolveConfig, type DirectoryInspection, type ResolveConfigInput } from './resolve-config.js';

const base = { env: {}, homeDir: '/home/ann', cwd: '/work' } as const;

function resolveOk(input: Partial<ResolveConfigInput> & { toml?: string }): HarnessConfig {
  const result = resolveConfig({
    ...base,
    ...input,
    file: input.toml === undefined ? input.file : { path: '/etc/harness/h.toml', text: input.toml },
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function problems(input: Partial<ResolveConfigInput> & { toml?: string }): { path: string; message: string }[] {
  const result = resolveConfig({
    ...base,
    ...input,
    file: input.toml === undefined ? input.file : { path: '/etc/harness/h.toml', text: input.toml },
  });
  if (result.ok) throw new Error('expected the configuration to be rejected');
  expect(result.error).toBeInstanceOf(ConfigError);
  expect(result.error.code).toBe('CONFIG_INVALID');
  return result.error.problems.map((p) => ({ path: p.path, message: p.message }));
}

describe('resolveConfig defaults', () => {
  it('gives every documented default without a file', () => {
    const config = resolveOk({});
    expect(config.server).toMatchObject({
      transport: 'http',
      log_format: 'text',
      drain_secs: 0,
      lease_secs: 60,
      http_addr: '127.0.0.1:9800',
      data_dir: '/home/ann/.local/share/harness',
      notification_broadcast_capacity: 256,
    });
    expect(config.server.api_token).toBeUndefined();
    expect(config.database.url).toBeUndefined();
    expect(config.agents).toMatchObject({
      default_agent: 'auto',
      complexity_preferred_agents: [],
      sandbox_mode: 'workspace-write',
      approval_policy: 'full-auto',
    });
    expect(config.agents.claude).toMatchObject({
      cli_path: 'claude',
      default_model: 'sonnet',
      extra_args: [],
      env: {},
    });
    expect(config.agents.codex.cli_path).toBe('codex');
    expect(config.agents.codex.cloud).toEqual({
      enabled: false,
      cache_ttl_hours: 12,
      setup_commands: [],
      setup_secret_env: [],
    });
    expect(config.agents.review).toEqual({ enabled: true, reviewer_agent: 'codex', max_rounds: 3 });
    expect(config.review).toMatchObject({
      enabled: false,
      interval_hours: 24,
      strategy: 'single',
      timeout_secs: 900,
      act: 'none',
      act_min_severity: 'high',
    });
    expect(config.gc).toEqual({
      max_drafts_per_run: 5,
      budget_per_signal_usd: 0.5,
      total_budget_usd: 5,
      adopt_wait_secs: 120,
      adopt_max_rounds: 3,
      draft_ttl_hours: 72,
      allowed_tools: [],
      signals: {
        repeated_warn_min: 10,
        chronic_block_min: 5,
        hot_file_edits_min: 20,
        slow_op_threshold_ms: 5000,
        slow_op_count_min: 10,
        escalation_ratio: 1.5,
        violation_min: 5,
      },
    });
    expect(config.skills).toEqual({ builtin: true, max_prompt_chars: 12_000 });
    expect(config.observe).toEqual({ session_renewal_secs: 1800, log_retention_days: 90 });
    expect(config.schedulers).toEqual({
      enabled: true,
      health: { enabled: true, interval_hours: 24 },
      gc: { enabled: true, grade_a_hours: 168, grade_b_hours: 72, grade_c_hours: 24, grade_d_hours: 1 },
      self_evolution: { enabled: true, interval_hours: 24 },
      retention: { interval_hours: 24 },
    });
    expect(config.otel).toMatchObject({ environment: 'development', exporter: 'disabled', log_user_prompt: false });
    expect(config.concurrency).toEqual({ max_concurrent_tasks: 4, max_queue_size: 32 });
    expect(config.validation).toEqual({
      pre_commit: [],
      pre_push: [],
      timeout_secs: 120,
      max_retries: 2,
      env: {},
      network: 'none',
    });
    expect(config.sandbox).toEqual({ deny_read: [], allow_write: [], allowed_domains: [] });
    expect(config.github.api_url).toBe('https://api.github.com');
    expect(config.github.allowed_actors).toEqual([]);
    expect(config.github.allow_bots).toBe(false);
    expect(config.github.pace_writes).toBe(true);
    expect(config.intake).toEqual({ github: { enabled: false, repos: [], label: 'harness', poll_interval_secs: 30 } });
    expect(config.server.public_url).toBeUndefined();
    expect(config.projects).toEqual([]);
  });

  it('checks the GitHub intake keys: logins, repositories and the public URL', () => {
    const found = problems({
      toml: [
        '[server]',
        'public_url = "ftp://example.com/x?y=1"',
        '[github]',
        'allowed_actors = ["octocat", "renovate[bot]", "not a login"]',
        '[intake.github]',
        'repos = ["octo/app", "nope"]',
        'poll_interval_secs = 0',
        '',
      ].join('\n'),
    });
    expect(found.map((p) => p.path)).toEqual([
      'server.public_url',
      'github.allowed_actors[2]',
      'intake.github.repos[1]',
      'intake.github.poll_interval_secs',
    ]);
    const config = resolveOk({ toml: '[server]\npublic_url = "https://h.example/harness/"\n' });
    expect(config.server.public_url).toBe('https://h.example/harness');
  });

  it('[limits] task_output_mb: 10 MB by default, fractions allowed, and positive', () => {
    expect(resolveOk({}).limits.task_output_mb).toBe(10);
    expect(resolveOk({ toml: '[limits]\ntask_output_mb = 0.5\n' }).limits.task_output_mb).toBe(0.5);
    for (const bad of ['0', '-1', '"10MB"'])
      expect(problems({ toml: `[limits]\ntask_output_mb = ${bad}\n` })).toEqual([
        { path: 'limits.task_output_mb', message: 'must be a positive number' },
      ]);
  });

  it('[review] act and act_min_severity: one of the allowed values, named when wrong', () => {
    expect(resolveOk({ toml: '[review]\nact = "pr"\nact_min_severity = "critical"\n' }).review).toMatchObject({
      act: 'pr',
      act_min_severity: 'critical',
    });
    expect(problems({ toml: '[review]\nact = "issue"\nact_min_severity = "severe"\n' })).toEqual([
      { path: 'review.act', message: 'must be one of "none", "issues", "pr"' },
      { path: 'review.act_min_severity', message: 'must be one of "critical", "high", "medium", "low"' },
    ]);
  });

  it('[sandbox]: paths expanded like every path, domains checked, [validation] network one of two', () => {
    const config = resolveOk({
      toml: '[sandbox]\ndeny_read = ["~/.npmrc"]\nallow_write = ["cache"]\nallowed_domains = ["registry.npmjs.org", "*.pypi.org"]\n[validation]\nnetwork = "allowed_domains"\n',
    });
    expect(config.sandbox).toEqual({
      deny_read: ['/home/ann/.npmrc'],
      allow_write: ['/etc/harness/cache'],
      allowed_domains: ['registry.npmjs.org', '*.pypi.org'],
    });
    expect(config.validation.network).toBe('allowed_domains');
    expect(
      problems({
        toml: '[sandbox]\nallowed_domains = ["https://evil.example/x", "*"]\ndeny_read = [""]\n[validation]\nnetwork = "all"\n',
      }),
    ).toEqual([
      { path: 'validation.network', message: 'must be one of "none", "allowed_domains"' },
      { path: 'sandbox.deny_read[0]', message: 'must be a non-empty path string' },
      {
        path: 'sandbox.allowed_domains[0]',
        message: 'must be a host name, or "*." and a domain, e.g. "registry.npmjs.org" or "*.pypi.org"',
      },
      {
        path: 'sandbox.allowed_domains[1]',
        message: 'must be a host name, or "*." and a domain, e.g. "registry.npmjs.org" or "*.pypi.org"',
      },
    ]);
  });

  it('[workspace]: setup with its secrets by name, dependency folders inside the worktree only; projects may set their own', () => {
    const config = resolveOk({
      toml: '[workspace]\nsetup = ["npm ci"]\nsetup_secret_env = ["NPM_TOKEN"]\n[[projects]]\nname = "a"\nroot = "/src/a"\nsetup = []\ndependency_dirs = ["packages/app/node_modules"]\n',
    });
    expect(config.workspace).toMatchObject({
      setup: ['npm ci'],
      setup_secret_env: ['NPM_TOKEN'],
      idle_worktrees: 4,
      dependency_dirs: ['node_modules', '.venv', 'target'],
    });
    expect(config.projects[0]).toMatchObject({ setup: [], dependency_dirs: ['packages/app/node_modules'] });
    expect(config.projects[0]?.setup_secret_env).toBeUndefined();
    const folder = 'must be a folder inside the worktree, e.g. "node_modules" or "packages/app/dist"';
    expect(
      problems({
        toml: '[workspace]\nsetup_secret_env = ["NPM TOKEN"]\ndependency_dirs = ["../up", "/abs", ".git", "a/.git/x", "-x", "ok/dir"]\nidle_worktrees = -1\n',
      }),
    ).toEqual([
      { path: 'workspace.setup_secret_env[0]', message: 'must be an environment variable name, e.g. "NPM_TOKEN"' },
      { path: 'workspace.idle_worktrees', message: 'must be a non-negative integer' },
      ...[0, 1, 2, 3, 4].map((i) => ({ path: `workspace.dependency_dirs[${String(i)}]`, message: folder })),
    ]);
  });

  it('[agents.anthropic_api] base_url: the file, else ANTHROPIC_BASE_URL, else Anthropic', () => {
    const local = 'http://127.0.0.1:4010';
    expect(resolveOk({}).agents.anthropic_api.base_url).toBe('https://api.anthropic.com');
    expect(resolveOk({ env: { ANTHROPIC_BASE_URL: local } }).agents.anthropic_api.base_url).toBe(local);
    const toml = '[agents.anthropic_api]\nbase_url = "https://proxy.example.com"\n';
    expect(resolveOk({ toml, env: { ANTHROPIC_BASE_URL: local } }).agents.anthropic_api.base_url).toBe(
      'https://proxy.example.com',
    );
    expect(problems({ env: { ANTHROPIC_BASE_URL: 'localhost:4010' } })).toEqual([
      {
        path: 'agents.anthropic_api.base_url',
        message: 'must be an http(s) URL, e.g. "https://api.anthropic.com" (the value of ANTHROPIC_BASE_URL)',
      },
    ]);
  });

  it('[agents.custom.<name>]: ACP agents by name, command as an array, state under the home only', () => {
    const config = resolveOk({
      toml: [
        '[agents.custom.my-agent]',
        'protocol = "acp"',
        'command = ["~/bin/my-agent", "--acp"]',
        'home_state = [".my-agent", ".my-agent.json"]',
        'credentials = ["MY_AGENT_KEY"]',
        '[agents.custom.my-agent.env]',
        'MY_AGENT_BASE_URL = "http://127.0.0.1:9"',
      ].join('\n'),
    });
    expect(config.agents.custom['my-agent']).toMatchObject({
      protocol: 'acp',
      command: ['/home/ann/bin/my-agent', '--acp'],
      home_state: ['.my-agent', '.my-agent.json'],
      version_args: ['--version'],
      credentials: ['MY_AGENT_KEY'],
      env: { MY_AGENT_BASE_URL: 'http://127.0.0.1:9' },
    });
    expect(config.agents.opencode.command).toEqual(['opencode', 'acp']);
    expect(config.agents.gemini.command).toEqual(['gemini', '--experimental-acp']);
    expect(
      problems({
        toml: [
          '[agents.custom.Bad_Name]',
          'protocol = "acp"',
          'command = ["x"]',
          '[agents.custom.codex]',
          'protocol = "acp"',
          'command = ["x"]',
          '[agents.custom.nothing]',
          '[agents.custom.wrong]',
          'protocol = "stdio"',
          'command = []',
          'home_state = ["../.ssh", ".config", "./.ssh/keys", "."]',
        ].join('\n'),
      }),
    ).toEqual([
      {
        path: 'agents.custom.Bad_Name',
        message: 'is not a valid name: lowercase letters, digits and "-", starting with a letter, at most 40',
      },
      {
        path: 'agents.custom.codex',
        message: 'is a name Harness already uses (auto, claude, codex, anthropic-api, opencode, gemini)',
      },
      { path: 'agents.custom.nothing.protocol', message: 'is required' },
      { path: 'agents.custom.nothing.command', message: 'is required' },
      { path: 'agents.custom.wrong.protocol', message: 'must be one of "acp"' },
      {
        path: 'agents.custom.wrong.command',
        message: 'must be a non-empty array of strings, the program first (["my-agent", "--acp"])',
      },
      {
        path: 'agents.custom.wrong.home_state',
        message: '"../.ssh" must be a path under the home directory (".myagent")',
      },
      {
        path: 'agents.custom.wrong.home_state',
        message:
          '".config" would let the agent write .config/gcloud (credentials or start-up files stay out of its reach)',
      },
      {
        path: 'agents.custom.wrong.home_state',
        message: '"./.ssh/keys" would let the agent write .ssh (credentials or start-up files stay out of its reach)',
      },
      { path: 'agents.custom.wrong.home_state', message: '"." must be a path under the home directory (".myagent")' },
    ]);
  });

  it('accepts a partial file: missing sections and keys take their defaults', () => {
    const config = resolveOk({ toml: '[concurrency]\nmax_concurrent_tasks = 8\n' });
    expect(config.concurrency).toEqual({ max_concurrent_tasks: 8, max_queue_size: 32 });
    expect(config.server.http_addr).toBe('127.0.0.1:9800');
  });

  it('returns a frozen object', () => {
    const config = resolveOk({});
    expect(Object.isFrozen(config.concurrency)).toBe(true);
  });
});

describe('resolveConfig problems', () => {
  it('lists every problem with its TOML path, not just the first', () => {
    const found = problems({
      toml: [
        '[server]',
        'transport = "carrier-pigeon"',
        '[concurrency]',
        'max_concurrent_tasks = 0',
        '[agents.review]',
        'max_round = 3',
      ].join('\n'),
    });
    expect(found).toEqual([
      { path: 'server.transport', message: 'must be one of "stdio", "http", "web_socket"' },
      { path: 'agents.review.max_round', message: 'unknown key (did you mean "max_rounds"?)' },
      { path: 'concurrency.max_concurrent_tasks', message: 'must be a positive integer' },
    ]);
  });

  it('rejects wrong types, unknown sections and bad list items by path', () => {
    const found = problems({
      toml: [
        'colour = "blue"',
        'agents = 3',
        '[validation]',
        'pre_commit = ["npm test", 4]',
        'max_retries = -1',
        '[gc]',
        'budget_per_signal_usd = "cheap"',
        '[otel]',
        'log_user_prompt = "yes"',
        'endpoint = "collector:4318"',
      ].join('\n'),
    });
    expect(found).toEqual(
      expect.arrayContaining([
        { path: 'colour', message: 'unknown key' },
        { path: 'agents', message: 'must be a table' },
        { path: 'validation.pre_commit[1]', message: 'must be a string' },
        { path: 'validation.max_retries', message: 'must be a non-negative integer' },
        { path: 'gc.budget_per_signal_usd', message: 'must be a positive number' },
        { path: 'otel.log_user_prompt', message: 'must be true or false' },
        { path: 'otel.endpoint', message: 'must be an http:// or https:// URL, e.g. "http://127.0.0.1:4318"' },
      ]),
    );
    expect(found).toHaveLength(7);
  });

  it('reports a TOML syntax error with its line and column', () => {
    const found = problems({ toml: '[server]\nhttp_addr = \n' });
    expect(found).toHaveLength(1);
    expect(found[0]?.path).toMatch(/^line 2, column \d+$/);
    expect(found[0]?.message).toMatch(/^invalid TOML: /);
  });

  it('checks http_addr and project fields', () => {
    const found = problems({
      toml: [
        '[server]',
        'http_addr = "localhost"',
        '[[projects]]',
        'name = "has space"',
        'root = "/r/a"',
        'repo = "not-a-repo"',
        'max_concurrent = 0',
        'base_branch = "--upload-pack=touch /tmp/pwned"',
        '[[projects]]',
        'name = "b"',
      ].join('\n'),
    });
    expect(found).toEqual([
      { path: 'server.http_addr', message: 'must be "host:port" with a port from 0 to 65535, e.g. "127.0.0.1:9800"' },
      {
        path: 'projects[0].name',
        message: 'must start with a letter or digit and use only letters, digits, ".", "_" and "-"',
      },
      { path: 'projects[0].max_concurrent', message: 'must be a positive integer' },
      { path: 'projects[0].repo', message: 'must be "owner/name", e.g. "octo-org/my-app"' },
      {
        path: 'projects[0].base_branch',
        message:
          'must be a valid git branch name (no leading "-", no spaces, "..", "~^:?*[\\", control characters or ".lock")',
      },
      { path: 'projects[1].root', message: 'is required' },
    ]);
  });

  it('refuses secrets that belong in the environment', () => {
    const found = problems({ toml: '[github]\ntoken = "ghp_secret"\n' });
    expect(found).toEqual([
      {
        path: 'github.token',
        message: 'is a secret read only from the GITHUB_TOKEN environment variable; remove it from the file',
      },
    ]);
  });
});

describe('resolveConfig paths and environment', () => {
  it('expands ~ and resolves relative paths against the config file', () => {
    const config = resolveOk({
      toml: '[server]\ndata_dir = "~/h-data"\n[agents.claude]\ncli_path = "./bin/claude"\n[[projects]]\nname = "a"\nroot = "../src/a"\n',
    });
    expect(config.server.data_dir).toBe('/home/ann/h-data');
    expect(config.agents.claude.cli_path).toBe('/etc/harness/bin/claude');
    expect(config.agents.codex.cli_path).toBe('codex');
    expect(config.projects[0]?.root).toBe('/etc/src/a');
  });

  it('takes secrets from the environment, which wins over the file', () => {
    const config = resolveOk({
      toml: '[server]\napi_token = "from-file-0123456789"\n',
      env: { HARNESS_API_TOKEN: 'from-env-0123456789', GITHUB_TOKEN: 'ghp_x', ANTHROPIC_API_KEY: 'sk-ant-x' },
    });
    expect(config.server.api_token).toBe('from-env-0123456789');
    expect(config.github.token).toBe('ghp_x');
    expect(config.agents.anthropic_api.api_key).toBe('sk-ant-x');
    expect(resolveOk({ toml: '[server]\napi_token = "from-file-0123456789"\n' }).server.api_token).toBe(
      'from-file-0123456789',
    );
  });
});

describe('resolveConfig [database] url', () => {
  it('takes a PostgreSQL URL from the file, and HARNESS_DATABASE_URL over it', () => {
    const toml = '[database]\nurl = "postgresql://ann@db.example/harness"\n';
    expect(resolveOk({ toml }).database.url).toBe('postgresql://ann@db.example/harness');
    expect(resolveOk({ toml, env: { HARNESS_DATABASE_URL: 'postgres://bob@127.0.0.1:5432/h' } }).database.url).toBe(
      'postgres://bob@127.0.0.1:5432/h',
    );
  });

  it('refuses any other URL by its key, without quoting it (it may hold a password)', () => {
    const found = problems({ toml: '[database]\nurl = "mysql://root:pw-123@db/harness"\n' });
    expect(found.map((p) => p.path)).toEqual(['database.url']);
    expect(found[0]?.message).toMatch(/postgres:\/\/ or postgresql:\/\//);
    expect(JSON.stringify(found)).not.toContain('pw-123');
    const fromEnv = problems({ env: { HARNESS_DATABASE_URL: 'sqlite:///tmp/h.db' } });
    expect(fromEnv.map((p) => p.path)).toEqual(['database.url']);
    expect(fromEnv[0]?.message).toMatch(/\(the value of HARNESS_DATABASE_URL\)$/);
    expect(problems({ toml: '[database]\nurl = ""\n' }).map((p) => p.path)).toEqual(['database.url']);
  });
});

describe('resolveConfig command-line flags', () => {
  const twoProjects =
    '[[projects]]\nname = "a"\nroot = "/r/a"\nmax_concurrent = 2\n[[projects]]\nname = "b"\nroot = "/r/b"\n';

  it('--port sets the port of http_addr and selects the http transport', () => {
    const config = resolveOk({ toml: '[server]\nhttp_addr = "127.0.0.2:1"\n', cli: { port: 4321 } });
    expect(config.server.http_addr).toBe('127.0.0.2:4321');
    expect(config.server.transport).toBe('http');
    expect(resolveOk({ cli: { port: 1, transport: 'web_socket' } }).server.transport).toBe('web_socket');
  });

  it('merges --project with [[projects]]; the flag wins on a name conflict', () => {
    const config = resolveOk({ toml: twoProjects, cli: { projects: ['a=/elsewhere/a', 'c=rel/c'] } });
    expect(config.projects.map((p) => [p.name, p.root, p.max_concurrent, p.default])).toEqual([
      ['a', '/elsewhere/a', 2, true],
      ['b', '/r/b', undefined, false],
      ['c', '/work/rel/c', undefined, false],
    ]);
  });

  it('chooses the default project: --default-project, else default = true, else the first', () => {
    expect(resolveOk({ toml: twoProjects, cli: { defaultProject: 'b' } }).projects.map((p) => p.default)).toEqual([
      false,
      true,
    ]);
    const marked = twoProjects.replace('root = "/r/b"', 'root = "/r/b"\ndefault = true');
    expect(resolveOk({ toml: marked }).projects.map((p) => p.default)).toEqual([false, true]);
    expect(problems({ toml: twoProjects, cli: { defaultProject: 'zed' } })).toEqual([
      { path: '--default-project', message: 'no project named "zed" (projects: "a", "b")' },
    ]);
    const both = marked.replace('max_concurrent = 2', 'max_concurrent = 2\ndefault = true');
    expect(problems({ toml: both })).toEqual([
      { path: 'projects', message: 'only one project may set default = true (found "a", "b")' },
    ]);
  });

  it('rejects malformed --project flags and duplicate names', () => {
    expect(problems({ cli: { projects: ['nopath', '=x', 'ok=/x'] } })).toEqual([
      { path: '--project nopath', message: 'must be NAME=PATH, e.g. --project my-app=/src/my-app' },
      { path: '--project =x', message: 'must be NAME=PATH, e.g. --project my-app=/src/my-app' },
    ]);
    expect(problems({ toml: twoProjects.replace('name = "b"', 'name = "a"') })).toEqual([
      { path: 'projects[1].name', message: 'duplicate project name "a" (also projects[0])' },
    ]);
  });

  it('--project-root is single-project mode', () => {
    const config = resolveOk({ cli: { projectRoot: '~/src/My App' } });
    expect(config.projects).toEqual([
      expect.objectContaining({ name: 'My-App', root: '/home/ann/src/My App', default: true }),
    ]);
    expect(problems({ toml: twoProjects, cli: { projectRoot: '/r/c' } })[0]?.path).toBe('--project-root');
  });

  it('checks project roots on disk and names each bad one with where it came from', () => {
    const disk: Record<string, DirectoryInspection> = {
      '/r/a': { kind: 'git-repository', realPath: '/real/a' },
      '/r/b': { kind: 'not-a-git-repository' },
      '/gone': { kind: 'missing' },
      '/r/link-to-a': { kind: 'git-repository', realPath: '/real/a' },
    };
    const found = problems({
      toml: twoProjects,
      cli: { projects: ['c=/gone', 'd=/r/link-to-a'] },
      inspectDirectory: (p) => disk[p] ?? { kind: 'missing' },
    });
    expect(found).toEqual([
      {
        path: 'projects[1].root',
        message:
          '/r/b is not a git repository (no .git there); run "git init" in it or point at the repository\'s top directory',
      },
      { path: '--project c=/gone', message: '/gone does not exist' },
      { path: '--project d=/r/link-to-a', message: '/real/a is already the root of project "a"' },
    ]);
  });
});

import {
  boolean,
  command,
  commandLine,
  nonEmptyString,
  nonNegativeInt,
  oneOf,
  optional,
  path,
  pathList,
  positiveInt,
  positiveNumber,
  report,
  required,
  secret,
  stringList,
  stringMap,
  table,
  tableList,
  tableMap,
  type Field,
  type Infer,
} from './schema.js';
import { homeStateProblem } from '../security/home-secrets.js';
import { branchNameProblem } from '../security/ref-name.js';
import { DEFAULT_PRICES, priceTable, timeOfDay, timeZone } from './spend-fields.js';

/**
 * Every configuration key Harness reads, with its default. `config/default.toml` and
 * `docs/configuration.md` describe the same keys for users; a test keeps them in step.
 */

export const TRANSPORTS = ['stdio', 'http', 'web_socket'] as const;
export const LOG_FORMATS = ['text', 'json'] as const;
export const SANDBOX_MODES = ['read-only', 'workspace-write', 'danger-full-access'] as const;
export const VALIDATION_NETWORKS = ['none', 'allowed_domains'] as const;
export const APPROVAL_POLICIES = ['suggest', 'auto-edit', 'full-auto'] as const;
export const REASONING_TIERS = ['xhigh', 'high', 'medium'] as const;
/**
 * What a `[[notify]]` endpoint can be told of: a task ended done, failed or cancelled, or was
 * stopped by its spend limit (`budget_reached`, a failure of class `budget`).
 */
export const NOTIFY_EVENTS = [
  'done',
  'failed',
  'cancelled',
  'budget_reached',
  // A task is held until a person approves its push, pull request or merge (`[approvals] before`).
  'awaiting_approval',
  // A pull request's CI failed, a fix round ran, and CI is green again.
  'ci_fixed',
] as const;
/** The steps `[approvals] before` can hold a task at. */
export const APPROVAL_STAGES = ['push', 'pr', 'merge'] as const;
/** How `[github] auto_merge` merges a green, approved pull request (`off`: a person merges). */
export const MERGE_METHODS = ['off', 'merge', 'squash', 'rebase'] as const;
export const NOTIFY_FORMATS = ['json', 'slack'] as const;

/** What a reused worktree keeps by default: the install folders of Node, Python and Rust. */
export const DEFAULT_DEPENDENCY_DIRS: readonly string[] = ['node_modules', '.venv', 'target'];

const HOST_PORT = /^(?<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(?<port>\d{1,5})$/;

/** `host:port`, where port 0 asks the system for a free port. */
function hostPort(fallback: string): Field<string> {
  return {
    parse(value, p, ctx) {
      if (value === undefined) return fallback;
      const match = typeof value === 'string' ? HOST_PORT.exec(value) : null;
      const port = Number(match?.groups?.['port']);
      if (match === null || port > 65535) {
        ctx.problems.push({
          path: p,
          message: 'must be "host:port" with a port from 0 to 65535, e.g. "127.0.0.1:9800"',
        });
        return fallback;
      }
      return value as string;
    },
  };
}

/** An OTLP collector's base URL: http:// or https:// (gRPC takes the same form). */
function collectorUrl(): Field<string | undefined> {
  return optional({
    parse(value, p, ctx) {
      let protocol: string | undefined;
      try {
        protocol = typeof value === 'string' ? new URL(value).protocol : undefined;
      } catch {
        protocol = undefined;
      }
      if (protocol === 'http:' || protocol === 'https:') return value as string;
      ctx.problems.push({ path: p, message: 'must be an http:// or https:// URL, e.g. "http://127.0.0.1:4318"' });
      return undefined;
    },
  });
}

const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** A host name, or a wildcard for its subdomains (`*.example.com`); no scheme, port or path. */
const DOMAIN =
  /^(\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Where `[[notify]]` posts: an http(s) URL. Sensitive: a Slack incoming webhook's URL is its
 * credential, so `config show` hides it and logs never print it.
 */
function notifyUrl(): Field<string> {
  return {
    sensitive: true,
    parse(value, p, ctx) {
      // Absent: `required` says so.
      if (value === undefined) return '';
      let url: URL | undefined;
      try {
        url = typeof value === 'string' ? new URL(value) : undefined;
      } catch {
        url = undefined;
      }
      if (
        url === undefined ||
        !['http:', 'https:'].includes(url.protocol) ||
        url.username !== '' ||
        url.password !== ''
      ) {
        ctx.problems.push({
          path: p,
          message: 'must be an http(s) URL without user:password@, e.g. "https://hooks.slack.com/services/…"',
        });
        return '';
      }
      return value as string;
    },
  };
}

/** A secret that may be written in the file (the HMAC key of a `[[notify]]` endpoint): hidden by `config show`. */
function fileSecret(): Field<string | undefined> {
  return {
    sensitive: true,
    parse(value, p, ctx) {
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || value.length < 16) {
        ctx.problems.push({ path: p, message: 'must be a string of at least 16 characters' });
        return undefined;
      }
      return value;
    },
  };
}

function repoName(): Field<string | undefined> {
  return optional({
    parse(value, p, ctx) {
      if (typeof value === 'string' && REPO.test(value)) return value;
      ctx.problems.push({ path: p, message: 'must be "owner/name", e.g. "octo-org/my-app"' });
      return '';
    },
  });
}

/** An environment variable's name. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME_IS = 'an environment variable name, e.g. "NPM_TOKEN"';
/** A folder inside the worktree, as a gitignore pattern: no absolute path, no `..`, never `.git`. */
const DEPENDENCY_DIR =
  /^(?!-)(?!.*(?:^|\/)\.\.?(?:\/|$))(?!.*(?:^|\/)\.git(?:\/|$))[A-Za-z0-9._@+-]+(?:\/[A-Za-z0-9._@+-]+)*$/;

const DEPENDENCY_DIR_IS = 'a folder inside the worktree, e.g. "node_modules" or "packages/app/dist"';

/** A GitHub login, as GitHub allows them (a bot's with its `[bot]` suffix), matched case-insensitively later. */
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
/** A reviewer to request: a login, or a team as `org/team-slug`. */
const GITHUB_REVIEWER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$/;

/** A list of strings each checked by `pattern`; `what` says what an entry must be. */
function checkedList(pattern: RegExp, what: string, fallback: readonly string[] = []): Field<readonly string[]> {
  return {
    parse(value, p, ctx) {
      if (value === undefined) return fallback;
      if (!Array.isArray(value)) {
        ctx.problems.push({ path: p, message: 'must be an array of strings' });
        return [];
      }
      return value.flatMap((item: unknown, i) => {
        if (typeof item === 'string' && pattern.test(item)) return [item];
        ctx.problems.push({ path: `${p}[${String(i)}]`, message: `must be ${what}` });
        return [];
      });
    },
  };
}

/**
 * A model API's base URL: the file's, else the environment variable the vendor's own SDK reads
 * (`ANTHROPIC_BASE_URL`: a proxy or a local server set for every tool), else the vendor's.
 */
function apiBaseUrl(env: string, fallback: string): Field<string> {
  return {
    parse(value, p, ctx) {
      const given = value ?? ctx.env[env];
      if (given === undefined || given === '') return fallback;
      let protocol: string | undefined;
      try {
        protocol = typeof given === 'string' ? new URL(given).protocol : undefined;
      } catch {
        protocol = undefined;
      }
      if (protocol === 'http:' || protocol === 'https:') return given as string;
      ctx.problems.push({
        path: p,
        message: `must be an http(s) URL, e.g. "${fallback}"${value === undefined ? ` (the value of ${env})` : ''}`,
      });
      return fallback;
    },
  };
}

/** An absolute http(s) URL without a query or fragment, kept without its trailing slash. */
function baseUrl(): Field<string | undefined> {
  return optional({
    parse(value, p, ctx) {
      let url: URL | undefined;
      try {
        url = typeof value === 'string' ? new URL(value) : undefined;
      } catch {
        url = undefined;
      }
      if (url === undefined || !['http:', 'https:'].includes(url.protocol) || url.search !== '' || url.hash !== '') {
        ctx.problems.push({
          path: p,
          message: 'must be an http(s) URL without a query, e.g. "https://harness.example.com"',
        });
        return '';
      }
      return (value as string).replace(/\/+$/, '');
    },
  });
}

function branchName(): Field<string> {
  return {
    parse(value, p, ctx) {
      const problem = typeof value === 'string' ? branchNameProblem(value) : 'must be a string';
      if (problem !== undefined) ctx.problems.push({ path: p, message: problem });
      return typeof value === 'string' ? value : '';
    },
  };
}

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function projectNameField(): Field<string> {
  return {
    parse(value, p, ctx) {
      if (value === undefined) {
        ctx.problems.push({ path: p, message: 'is required' });
        return '';
      }
      if (typeof value === 'string' && PROJECT_NAME.test(value)) return value;
      ctx.problems.push({
        path: p,
        message: 'must start with a letter or digit and use only letters, digits, ".", "_" and "-"',
      });
      return typeof value === 'string' ? value : '';
    },
  };
}

/** The shortest API token accepted: anything shorter is guessable by anyone who can reach the port. */
export const MIN_API_TOKEN_LENGTH = 16;

/** What makes an API token unusable: too short, or holding whitespace (a paste mistake, or a placeholder). */
export function apiTokenProblem(token: string): string | undefined {
  if (/\s/.test(token)) return 'must not contain whitespace';
  if (token.length < MIN_API_TOKEN_LENGTH)
    return `must be at least ${String(MIN_API_TOKEN_LENGTH)} characters (e.g. the output of "openssl rand -hex 32")`;
  return undefined;
}

/** What makes a database URL unusable: Harness speaks PostgreSQL only (SQLite is the file in data_dir). */
export function databaseUrlProblem(url: string): string | undefined {
  return /^postgres(ql)?:\/\/./i.test(url)
    ? undefined
    : 'must be a postgres:// or postgresql:// URL, e.g. "postgres://harness@127.0.0.1:5432/harness"';
}

/** Keys every CLI agent accepts. */
const cliAgentKeys = {
  /** Extra command-line arguments appended to every run. */
  extra_args: stringList(),
  /** Extra environment variables for the agent process (values are redacted when shown). */
  env: stringMap({ sensitive: true }),
  /** Hard limit for one run, in seconds. */
  timeout_secs: positiveInt(3600),
  /** A run that prints nothing for this long is considered hung and is killed. */
  idle_timeout_secs: positiveInt(900),
};

/** Keys every agent spoken to over the Agent Client Protocol accepts (`[agents.opencode]`, `[agents.custom.<name>]`). */
const acpAgentKeys = {
  /** Extra environment variables for the agent process (values are redacted when shown). */
  env: stringMap({ sensitive: true }),
  /** Variables of the server's environment the agent gets besides its own (its API keys). */
  credentials: stringList(),
  /** Hosts its sandbox may reach besides its built-in ones and `[sandbox] allowed_domains`. */
  domains: stringList(),
  /** The model spend is priced at when a run names none (the agent itself picks its model). */
  default_model: optional(nonEmptyString('')),
  timeout_secs: positiveInt(3600),
  idle_timeout_secs: positiveInt(900),
};

/** Paths under the home directory (`.myagent`, `.config/myagent`): relative, never leaving it. */
function homeRelativeList(): Field<readonly string[]> {
  const list = stringList();
  return {
    parse(value, path, ctx) {
      const items = list.parse(value, path, ctx);
      const problems = items.flatMap((item) => homeStateProblem(item) ?? []);
      for (const problem of problems) report(ctx, path, problem);
      return problems.length === 0 ? items : [];
    },
  };
}

/** Names an agent defined in config cannot take: the built-in agents' and `auto`. */
export const RESERVED_AGENT_NAMES = ['auto', 'claude', 'codex', 'anthropic-api', 'opencode', 'gemini'];

export const configSchema = table({
  server: table({
    // HTTP, as the original's code default: a file without `transport` serves what the README starts.
    transport: oneOf(TRANSPORTS, 'http'),
    /** Server log lines: "text" for people, "json" for one JSON object per line. */
    log_format: oneOf(LOG_FORMATS, 'text'),
    /**
     * On SIGTERM, how long running tasks may finish before they are handed back to the queue (no
     * new task is claimed meanwhile). 0: handed back at once.
     */
    drain_secs: nonNegativeInt(0),
    /**
     * How long a task's lease holds without its server's heartbeat (every 2 s): after it, another
     * server of the fleet takes the task back.
     */
    lease_secs: positiveInt(60),
    http_addr: hostPort('127.0.0.1:9800'),
    data_dir: path('~/.local/share/harness'),
    project_root: optional(path('.')),
    github_webhook_secret: secret({ env: 'HARNESS_GITHUB_WEBHOOK_SECRET', inFile: true }),
    notification_broadcast_capacity: positiveInt(256),
    api_token: secret({ env: 'HARNESS_API_TOKEN', inFile: true, check: apiTokenProblem }),
    /** Where people reach this server (replies on GitHub link tasks there); unset: replies name the task id. */
    public_url: baseUrl(),
    /**
     * Folders a project registered through the API must be inside (the original harness's key);
     * empty: any git repository the server user can read. Config-file projects are the operator's.
     */
    allowed_project_roots: pathList(),
  }),
  /**
   * Where tasks and events are stored. Unset: the SQLite file `harness.db` in `data_dir`. A
   * PostgreSQL URL (or HARNESS_DATABASE_URL, which wins) lets several servers share one queue. It
   * may hold a password: `config show` redacts it.
   */
  database: table({
    url: secret({ env: 'HARNESS_DATABASE_URL', inFile: true, check: databaseUrlProblem }),
  }),
  agents: table({
    default_agent: nonEmptyString('auto'),
    complexity_preferred_agents: stringList(),
    /**
     * The OS sandbox of agent runs and project commands (docs/security.md). `danger-full-access`
     * turns it off, and is warned about at start and on every task.
     */
    sandbox_mode: oneOf(SANDBOX_MODES, 'workspace-write'),
    /** What agents do without a person; unattended, what would need one is refused (see approvalLimits). */
    approval_policy: oneOf(APPROVAL_POLICIES, 'full-auto'),
    claude: table({
      cli_path: command('claude'),
      default_model: nonEmptyString('sonnet'),
      reasoning_budget: optional(
        table({
          planning_tier: oneOf(REASONING_TIERS, 'xhigh'),
          execution_tier: oneOf(REASONING_TIERS, 'high'),
          validation_tier: oneOf(REASONING_TIERS, 'xhigh'),
          xhigh_model: nonEmptyString('opus'),
          high_model: nonEmptyString('sonnet'),
          medium_model: nonEmptyString('haiku'),
        }),
      ),
      ...cliAgentKeys,
    }),
    codex: table({
      cli_path: command('codex'),
      default_model: optional(nonEmptyString('')),
      cloud: table({
        enabled: boolean(false),
        cache_ttl_hours: positiveInt(12),
        setup_commands: stringList(),
        setup_secret_env: stringList(),
      }),
      ...cliAgentKeys,
    }),
    anthropic_api: table({
      base_url: apiBaseUrl('ANTHROPIC_BASE_URL', 'https://api.anthropic.com'),
      default_model: nonEmptyString('claude-sonnet-5-5'),
      max_tokens: positiveInt(8192),
      max_turns: positiveInt(50),
      timeout_secs: positiveInt(3600),
      idle_timeout_secs: positiveInt(900),
      api_key: secret({ env: 'ANTHROPIC_API_KEY', inFile: false }),
    }),
    /** OpenCode over the Agent Client Protocol (`opencode acp`). */
    opencode: table({
      command: commandLine(['opencode', 'acp']),
      ...acpAgentKeys,
    }),
    /** Gemini CLI over the Agent Client Protocol (`gemini --experimental-acp`). */
    gemini: table({
      command: commandLine(['gemini', '--experimental-acp']),
      ...acpAgentKeys,
    }),
    /** Any other agent that speaks the Agent Client Protocol, by the name tasks use (`agent = "<name>"`). */
    custom: tableMap(
      {
        protocol: required(oneOf(['acp'] as const, 'acp')),
        command: required(commandLine([])),
        /** What people call it (the name, when unset). */
        title: optional(nonEmptyString('')),
        /**
         * Its own state under the home directory: writable in its runs, hidden from the others'. A
         * name with an extension (`.myagent.json`) is a file, any other a folder (`.myagent`).
         */
        home_state: homeRelativeList(),
        /** Asks it its version, for `harness doctor` and the start-up report. */
        version_args: stringList(['--version']),
        ...acpAgentKeys,
      },
      {
        pattern: /^[a-z][a-z0-9-]{0,39}$/,
        rule: 'lowercase letters, digits and "-", starting with a letter, at most 40',
        reserved: RESERVED_AGENT_NAMES,
      },
    ),
    review: table({
      enabled: boolean(true),
      reviewer_agent: nonEmptyString('codex'),
      max_rounds: positiveInt(3),
    }),
  }),
  review: table({
    enabled: boolean(false),
    /** Fractional hours are allowed (0.01 is 36 s), so tests and trials can run it in seconds. */
    interval_hours: positiveNumber(24),
    agent: optional(nonEmptyString('')),
    strategy: oneOf(['single', 'cross'] as const, 'single'),
    timeout_secs: positiveInt(900),
    /** What a done review does with its findings: nothing, one GitHub issue each, or one fix task. */
    act: oneOf(['none', 'issues', 'pr'] as const, 'none'),
    /** The findings acted on: this severity or worse (the review's severities, worst first). */
    act_min_severity: oneOf(['critical', 'high', 'medium', 'low'] as const, 'high'),
  }),
  gc: table({
    max_drafts_per_run: positiveInt(5),
    budget_per_signal_usd: positiveNumber(0.5),
    total_budget_usd: positiveNumber(5.0),
    adopt_wait_secs: nonNegativeInt(120),
    adopt_max_rounds: positiveInt(3),
    draft_ttl_hours: positiveInt(72),
    /** Tools a draft or learning run may use (read-only); empty means Read, Grep, Glob. */
    allowed_tools: stringList(),
    /** When a recurring problem becomes a signal (the original harness's defaults). */
    signals: table({
      repeated_warn_min: positiveInt(10),
      chronic_block_min: positiveInt(5),
      hot_file_edits_min: positiveInt(20),
      slow_op_threshold_ms: positiveInt(5000),
      slow_op_count_min: positiveInt(10),
      escalation_ratio: positiveNumber(1.5),
      violation_min: positiveInt(5),
    }),
  }),
  /** The background jobs of `harness serve` (every transport); `--no-schedulers` turns them all off. */
  schedulers: table({
    enabled: boolean(true),
    /** Rule scan and health report of every project. */
    health: table({ enabled: boolean(true), interval_hours: positiveNumber(24) }),
    /** GC of every project, as often as the project's last health grade asks (recomputed after each run). */
    gc: table({
      enabled: boolean(true),
      grade_a_hours: positiveNumber(168),
      grade_b_hours: positiveNumber(72),
      grade_c_hours: positiveNumber(24),
      grade_d_hours: positiveNumber(1),
    }),
    /** Learn rules and skills from adopted drafts, then score skills (governance). */
    self_evolution: table({ enabled: boolean(true), interval_hours: positiveNumber(24) }),
    /** Deletes telemetry older than `[observe] log_retention_days` (0 turns it off). */
    retention: table({ interval_hours: positiveNumber(24) }),
  }),
  skills: table({
    /** The skills shipped with Harness (review, build-fix, preflight…). */
    builtin: boolean(true),
    /** The most characters of skills one task prompt gets. */
    max_prompt_chars: positiveInt(12_000),
  }),
  observe: table({
    session_renewal_secs: positiveInt(1800),
    /** Telemetry events older than this are deleted, at start and daily; 0 keeps them forever. */
    log_retention_days: nonNegativeInt(90),
  }),
  rules: table({
    /** Folders of rule files searched besides `<project>/.harness/rules` and `~/.harness/rules`. */
    discovery_paths: stringList(),
    /** The rules shipped with Harness (security, style, TS/JS, Python, Go, Rust). */
    builtin: boolean(true),
    // The original harness's other `[rules]` keys: accepted so its config files load; no effect.
    builtin_path: optional(nonEmptyString('')),
    exec_policy_paths: stringList(),
    requirements_path: optional(nonEmptyString('')),
    auto_fix: boolean(false),
    hook_enforcement: boolean(false),
  }),
  otel: table({
    environment: nonEmptyString('development'),
    exporter: oneOf(['disabled', 'otlp-http', 'otlp-grpc'] as const, 'disabled'),
    endpoint: collectorUrl(),
    log_user_prompt: boolean(false),
  }),
  /** What one task may take, and what all of them may spend per day. */
  limits: table({
    /**
     * Megabytes (MiB) of agent output stored per task (its events, as stored JSON). Past it, output
     * events are counted, not stored, and the stream says the output was cut; the agent keeps running.
     */
    task_output_mb: positiveNumber(10),
    /** A task (all its agent runs: implement, fixes, review) that spends more is stopped and fails (class budget). */
    task_max_usd: optional(positiveNumber(1)),
    /** The most model turns a task takes, across all its agent runs. */
    task_max_turns: optional(positiveInt(1)),
    /** All projects together, per day: when spent, queued tasks wait until the day turns. */
    daily_usd: optional(positiveNumber(1)),
    /** When a day starts ("HH:MM", in `time_zone`). */
    day_starts_at: timeOfDay('00:00'),
    /** The IANA time zone of the day boundary, e.g. "Europe/Paris". */
    time_zone: timeZone('UTC'),
  }),
  /**
   * Prices in USD per million tokens, by model, for agents that report tokens but no dollars
   * (Codex, the Anthropic API agent). A model is matched exactly, else by the longest key it starts
   * with, else priced at "*" (and flagged as such). Entries given in the file add to these.
   */
  pricing: priceTable(DEFAULT_PRICES),
  concurrency: table({
    max_concurrent_tasks: positiveInt(4),
    max_queue_size: positiveInt(32),
  }),
  validation: table({
    pre_commit: stringList(),
    pre_push: stringList(),
    timeout_secs: positiveInt(120),
    max_retries: nonNegativeInt(2),
    /** Environment variables validation commands get besides the safe base (PATH, HOME, locale…). */
    env: stringMap({ sensitive: true }),
    /** Where validation, pre-push and guard commands may connect: nowhere, or `[sandbox] allowed_domains`. */
    network: oneOf(VALIDATION_NETWORKS, 'none'),
  }),
  /**
   * How a task's worktree is made ready (docs/configuration.md#workspace): setup commands before the
   * agent, and finished worktrees reused with their dependencies.
   */
  workspace: table({
    /** Commands run in each new worktree before the agent (install dependencies, generate code), in the sandbox. */
    setup: stringList(),
    /** Names of server environment variables setup commands get (and nothing after them does). */
    setup_secret_env: checkedList(ENV_NAME, ENV_NAME_IS),
    /** Seconds one setup command may take. */
    setup_timeout_secs: positiveInt(900),
    /** Finished worktrees kept per project for the next tasks; 0: every task checks out afresh. */
    idle_worktrees: nonNegativeInt(4),
    /** Folders a reused worktree keeps while the setup key (setup commands, lockfiles) is unchanged. */
    dependency_dirs: checkedList(DEPENDENCY_DIR, DEPENDENCY_DIR_IS, DEFAULT_DEPENDENCY_DIRS),
    // The original harness's hooks: `after_create_hook` runs after `setup`, `before_remove_hook`
    // when a task's worktree is released (its failure is logged, not fatal).
    after_create_hook: optional(nonEmptyString('')),
    before_remove_hook: optional(nonEmptyString('')),
    hook_timeout_secs: positiveInt(60),
  }),
  /** What the OS sandbox lets agents and project commands read, write and reach, besides the built-ins. */
  sandbox: table({
    /** Never readable inside, added to ~/.ssh, ~/.aws, ~/.config/gh, ~/.netrc, ~/.docker, data_dir and the checkouts. */
    deny_read: pathList(),
    /** Writable inside in every mode, like the agent's own state: caches a project's tools need (~/.cache/pip, say). */
    allow_write: pathList(),
    /** Hosts reachable over HTTP(S) through Harness's proxy: package registries and the like. */
    allowed_domains: checkedList(
      DOMAIN,
      'a host name, or "*." and a domain, e.g. "registry.npmjs.org" or "*.pypi.org"',
    ),
  }),
  github: table({
    api_url: nonEmptyString('https://api.github.com'),
    token: secret({ env: 'GITHUB_TOKEN', inFile: false }),
    /**
     * `[github.app]`: authenticate as a GitHub App (installation tokens) instead of a personal
     * token; it wins over `token` when both are set. The key file is read, and checked, at start.
     */
    app: optional(
      table({
        app_id: required(positiveInt(1)),
        /** The App's private key (PEM), as GitHub hands it out: a secret, never shown nor passed on. */
        private_key_path: required(path('.')),
        /** One installation for every repository; unset: asked of GitHub per repository, then kept. */
        installation_id: optional(positiveInt(1)),
      }),
    ),
    /** Who may start tasks from GitHub; empty: the repository's collaborators with write access. */
    allowed_actors: checkedList(GITHUB_LOGIN, 'a GitHub login, e.g. "octocat" or "renovate[bot]"'),
    /** Accounts whose login ends in `[bot]` may start tasks (they are refused otherwise). */
    allow_bots: boolean(false),
    /**
     * Space writes as GitHub asks (1 s between writes, 3 s between comments): its secondary rate
     * limit. Off only for a GitHub Enterprise or a stand-in without that limit.
     */
    pace_writes: boolean(true),
    /**
     * Delete the branch of a Harness pull request (`harness/…`) once it is merged or closed, when
     * GitHub's `pull_request` webhook says so. Harness's local copies go as soon as a task pushed.
     */
    delete_merged_branches: boolean(true),
    /** Open pull requests as drafts, marked ready once validation and Harness's review pass. */
    draft: boolean(false),
    /** Labels put on every pull request Harness opens. */
    labels: stringList(),
    /** Reviewers requested on every pull request Harness opens: logins, or `org/team` for a team. */
    reviewers: checkedList(GITHUB_REVIEWER, 'a GitHub login or "org/team", e.g. "octocat" or "octo-org/core"'),
    /**
     * Merge a Harness pull request once its CI is green, Harness's review approved it and no person
     * has requested changes; `off` leaves the merge to a person.
     */
    auto_merge: oneOf(MERGE_METHODS, 'off'),
    /** Watch the CI of the pull requests Harness opens: a task waits (`waiting_ci`) and ends done on green. */
    watch_ci: boolean(true),
    /** Fix rounds run on a failed CI before the task fails (`ci_failed`); 0: none, it fails at once. */
    max_ci_fix_rounds: nonNegativeInt(2),
    /** Fix rounds run on a person's requested changes before the task fails (`changes_requested`). */
    max_feedback_rounds: nonNegativeInt(2),
    /** How often the PRs waiting on CI are read when no webhook came (webhooks are seen at once). */
    ci_poll_interval_secs: positiveInt(60),
    /**
     * A pull request with no check and no status this long after its push has no CI: the task ends
     * done (`no_ci = "done"`) or keeps waiting for one until `ci_timeout_mins` (`"wait"`).
     */
    no_ci_grace_secs: positiveInt(120),
    no_ci: oneOf(['done', 'wait'] as const, 'done'),
    /** A CI that has not ended this long after the push fails the task (`ci_failed`). */
    ci_timeout_mins: positiveInt(180),
  }),
  /** Hold tasks for a person's approval before the steps named (see docs/github.md#approvals). */
  approvals: table({
    before: checkedList(
      new RegExp(`^(${APPROVAL_STAGES.join('|')})$`),
      `one of ${APPROVAL_STAGES.map((s) => `"${s}"`).join(', ')}`,
    ),
    /** A held task is decided by `on_timeout` after this many hours without an answer. */
    timeout_hours: positiveNumber(72),
    on_timeout: oneOf(['reject', 'approve'] as const, 'reject'),
  }),
  intake: table({
    /** Open issues with a label become tasks, once each (the `intake` scheduler job). */
    github: table({
      enabled: boolean(false),
      repos: checkedList(REPO, '"owner/name", e.g. "octo-org/my-app"'),
      label: nonEmptyString('harness'),
      poll_interval_secs: positiveInt(30),
    }),
  }),
  /** Outgoing webhooks told when tasks end (docs/configuration.md#notify). */
  notify: tableList({
    url: required(notifyUrl()),
    /** `json`: Harness's own body; `slack`: `{"text": …}` for a Slack (or compatible) incoming webhook. */
    format: oneOf(NOTIFY_FORMATS, 'json'),
    /** Signs each body with HMAC-SHA256 in `X-Harness-Signature-256: sha256=<hex>`, as GitHub signs its webhooks. */
    secret: fileSecret(),
    events: checkedList(
      new RegExp(`^(${NOTIFY_EVENTS.join('|')})$`),
      `one of ${NOTIFY_EVENTS.map((e) => `"${e}"`).join(', ')}`,
      ['done', 'failed', 'budget_reached'],
    ),
  }),
  projects: tableList({
    name: projectNameField(),
    root: required(path('.')),
    default: boolean(false),
    default_agent: optional(nonEmptyString('')),
    max_concurrent: optional(positiveInt(1)),
    repo: repoName(),
    base_branch: optional(branchName()),
    /** This project's own daily spend limit (see `[limits] daily_usd`). */
    daily_usd: optional(positiveNumber(1)),
    /** This project's own `[workspace]` setup, secret env and dependency dirs (each replaces the global one). */
    setup: optional(stringList()),
    setup_secret_env: optional(checkedList(ENV_NAME, ENV_NAME_IS)),
    dependency_dirs: optional(checkedList(DEPENDENCY_DIR, DEPENDENCY_DIR_IS)),
    /** This project's own `[approvals] before` (replaces the global one; `[]`: never held). */
    approvals_before: optional(
      checkedList(
        new RegExp(`^(${APPROVAL_STAGES.join('|')})$`),
        `one of ${APPROVAL_STAGES.map((s) => `"${s}"`).join(', ')}`,
      ),
    ),
  }),
});

/** The resolved configuration, frozen. Keys keep their TOML names. @public */
export type HarnessConfig = Infer<typeof configSchema>;
/** @public */
export type ProjectConfig = HarnessConfig['projects'][number];
/** One `[[notify]]` endpoint. @public */
export type NotifyConfig = HarnessConfig['notify'][number];
/** @public */
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];
/** @public */
export type ApprovalStage = (typeof APPROVAL_STAGES)[number];
/** @public */
export type MergeMethod = (typeof MERGE_METHODS)[number];
/** @public */
export type Transport = (typeof TRANSPORTS)[number];
/** @public */
export type SandboxMode = (typeof SANDBOX_MODES)[number];
/** @public */
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

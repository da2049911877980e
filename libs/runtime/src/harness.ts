import { homedir } from 'node:os';
import { join } from 'node:path';
import { AgentRegistry, ConfiguredSandbox, ShellCommandRunner } from '@agent-harness/agents';
import {
  bindOperations,
  configuredJobs,
  createGitHubIntake,
  FleetService,
  JobRunner,
  GcService,
  NotifyingEventBus,
  TaskNotifier,
  PlansService,
  ReviewActions,
  ReviewService,
  RulesService,
  SkillsService,
  UsageService,
  type HarnessJobs,
} from '@agent-harness/app';
import { commandEnv, SecretRedactor, secretValues, type HarnessConfig } from '@agent-harness/core';
import { GitHubClient } from '@agent-harness/github';
import {
  DATABASE_FILE_NAME,
  freeSpace,
  largestEntries,
  openDatabase,
  probeDatabaseWrite,
  TypeOrmEventStore,
  TypeOrmGitHubIntakeStore,
  TypeOrmPlanStore,
  TypeOrmProjectCatalog,
  TypeOrmReviewStore,
  TypeOrmUsageLedger,
  databaseKind,
  listenPostgres,
  notifyPostgres,
  TypeOrmFleetRegistry,
  TypeOrmTaskRepository,
  type PgListener,
} from '@agent-harness/persistence';
import { startOtel, TelemetryEmitter } from '@agent-harness/observe';
import { ProjectAdmin, SpendMeter, TaskEngine, TaskEventsHub } from '@agent-harness/pipeline';
import { GitWorktreeManager, ReviewGit } from '@agent-harness/workspace';
import { inspectProjectDirectory } from './config/load-config.js';
import { setupSecretValues, workspaceSettingsOf, worktreeReuseOf } from './workspace-settings.js';
import { spendLimitsOf } from './spend-limits.js';
import { pullRequestSettings } from './pull-request-settings.js';
import { FleetEventBus, TASK_EVENTS_CHANNEL } from './fleet-event-bus.js';
import { probeDirectoryWrite } from './storage-probe.js';
import { configuredSecrets, gitCredentials, serverIdOf } from './harness-settings.js';
import { privateKeySecrets, readGitHubAppKey } from './config/github-app-key.js';
import { githubCredentialsOf } from './github-auth.js';
import type { CreateHarnessOptions, Harness } from './harness-types.js';

export type { CreateHarnessOptions, Harness, HarnessLogger } from './harness-types.js';

/**
 * Opens (and migrates) the database in `data_dir` and builds the engine and its parts from the
 * configuration. Nothing runs until `start()`.
 * @public
 */
export async function createHarness(config: HarnessConfig, options: CreateHarnessOptions): Promise<Harness> {
  const { env, logger } = options;
  // `[github.app]`: its key is read (and checked) before anything opens; a secret from here on.
  const githubAppKey = readGitHubAppKey(config);
  // The App's installation tokens (per repository) when `[github.app]` is set, else GITHUB_TOKEN.
  const githubCredentials = githubCredentialsOf(config, githubAppKey);
  const database = await openDatabase(
    config.database.url === undefined
      ? { file: join(config.server.data_dir, DATABASE_FILE_NAME) }
      : { url: config.database.url },
  );
  const tasks = new TypeOrmTaskRepository(database.dataSource);
  // Each server works in its own checkouts: the config's roots win over what another server stored.
  const projects = new TypeOrmProjectCatalog(database.dataSource, undefined, {
    localRoots: new Map(config.projects.map((p) => [p.name, p.root])),
  });
  const home = options.homeDir ?? env['HOME'] ?? homedir();
  const sandbox = ConfiguredSandbox.fromConfig(config, home);
  const agents = AgentRegistry.fromConfig(config, env, config.server.data_dir, sandbox);
  const worktrees = new GitWorktreeManager({
    worktreesDir: join(config.server.data_dir, 'worktrees'),
    env,
    credentials: gitCredentials(config, githubCredentials),
    reuse: worktreeReuseOf(config),
  });
  const events = new TypeOrmEventStore(database.dataSource);
  const observeLogger = {
    warn: (message: string) => {
      logger?.error(message);
    },
  };
  // Background writers stay quiet about a full disk: the engine says it once, and when it is over.
  const storageFailed = (error: unknown): boolean => engine.storage?.failed(error) === true;
  const telemetry = new TelemetryEmitter({ store: events, logger: observeLogger, now: options.now, storageFailed });
  // `[otel]`: task traces and metrics for a collector; nothing is loaded when disabled.
  const otel = await startOtel(
    {
      exporter: config.otel.exporter,
      endpoint: config.otel.endpoint,
      environment: config.otel.environment,
      logUserPrompt: config.otel.log_user_prompt,
      queueDepth: () => tasks.countWithStatus(['queued']),
    },
    observeLogger,
  ).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const rules = new RulesService({ config, events, env, homeDir: options.homeDir, now: options.now, sandbox });
  // Secret values never stored, streamed or prompted: task events, draft files, learned rules and skills.
  const redactor = new SecretRedactor(
    secretValues(env, [
      ...configuredSecrets(config, env),
      ...setupSecretValues(config, env),
      ...privateKeySecrets(githubAppKey),
    ]),
  );
  const skills = new SkillsService({
    config,
    events,
    telemetry,
    tasks,
    homeDir: options.homeDir,
    now: options.now,
  });
  const githubClient =
    githubCredentials === undefined
      ? undefined
      : new GitHubClient({
          apiUrl: config.github.api_url,
          credentials: githubCredentials,
          paceWrites: config.github.pace_writes,
        });
  const serverId = options.serverId ?? serverIdOf(config.server.data_dir);
  // Fleet mode: live events reach the watchers of every server through PostgreSQL NOTIFY.
  const eventBus =
    databaseKind(database.dataSource) === 'postgres'
      ? new FleetEventBus(new TaskEventsHub(), {
          serverId,
          tasks,
          notify: (payload) => notifyPostgres(database.dataSource, TASK_EVENTS_CHANNEL, payload),
          logger,
        })
      : undefined;
  const dataDir = config.server.data_dir;
  const usageLedger = new TypeOrmUsageLedger(database.dataSource);
  // `[[notify]]`: the endpoints are told of the task ends this server stores.
  const notifier = new TaskNotifier({
    endpoints: config.notify,
    tasks,
    publicUrl: config.server.public_url,
    redact: (text) => redactor.text(text),
    logger,
  });
  const engine = new TaskEngine({
    events: new NotifyingEventBus(eventBus ?? new TaskEventsHub(), (event) => {
      notifier.taskEvent(event);
    }),
    // Worktrees and (on SQLite) the database live in data_dir: both must take a write again.
    storage: {
      probe: async () => {
        await probeDirectoryWrite(dataDir);
        await probeDatabaseWrite(database.dataSource);
      },
      // What to free: how much room is left, and what takes it.
      where: () => {
        const largest = largestEntries(dataDir);
        return `${freeSpace(dataDir) ?? dataDir}${largest === undefined ? '' : `; largest there: ${largest}`}`;
      },
    },
    telemetry,
    tracer: otel?.tracer,
    skills,
    tasks,
    projects,
    worktrees,
    agents,
    limits: {
      maxConcurrentTasks: config.concurrency.max_concurrent_tasks,
      maxQueueSize: config.concurrency.max_queue_size,
    },
    validation: {
      preCommit: config.validation.pre_commit,
      prePush: config.validation.pre_push,
      timeoutMs: config.validation.timeout_secs * 1000,
      maxRetries: config.validation.max_retries,
    },
    github: githubClient,
    review: {
      enabled: config.agents.review.enabled,
      reviewerAgent: config.agents.review.reviewer_agent,
      maxRounds: config.agents.review.max_rounds,
      adoptionMaxRounds: config.gc.adopt_max_rounds,
    },
    // Validation runs project code: an allow-listed environment, never the server's, in the sandbox.
    commands: new ShellCommandRunner(commandEnv(env, config.validation.env), (command) =>
      sandbox.wrapCommand(command, 'workspace-write'),
    ),
    // Setup installs dependencies: in the sandbox too, with `[sandbox] allowed_domains` reachable.
    workspace: workspaceSettingsOf(
      config,
      env,
      new ShellCommandRunner(commandEnv(env, config.validation.env), (command) =>
        sandbox.wrapCommand(command, 'workspace-write', 'allowed_domains'),
      ),
    ),
    sandboxRefusal: () => sandbox.refusal(),
    sandboxWarning: sandbox.warning,
    pullRequests: pullRequestSettings(config, githubClient, options.now),
    redactor,
    ...(logger === undefined ? {} : { logger }),
    serverId,
    leaseMs: config.server.lease_secs * 1000,
    outputLimitBytes: Math.round(config.limits.task_output_mb * 1024 * 1024),
    ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
    spend: { ledger: usageLedger, limits: spendLimitsOf(config) },
  });
  const usage = new UsageService({
    ledger: usageLedger,
    // The engine was given a ledger: it has a meter.
    meter:
      engine.spend ??
      new SpendMeter({ ledger: usageLedger, limits: spendLimitsOf(config), now: options.now ?? (() => new Date()) }),
    projects,
    now: options.now ?? (() => new Date()),
  });
  const projectAdmin = new ProjectAdmin({
    projects,
    tasks,
    inspectDirectory: (path) => inspectProjectDirectory(path, env),
    homeDir: home,
    allowedRoots: config.server.allowed_project_roots,
    removeStaleWorktrees: async (root) => {
      await worktrees.removeStaleWorktrees(root);
    },
  });

  const gc = new GcService({
    config,
    dataSource: database.dataSource,
    events,
    telemetry,
    agents,
    engine,
    rules,
    skills,
    redact: (text) => redactor.text(text),
    now: options.now,
  });
  try {
    await gc.open();
  } catch (error) {
    // Nothing else holds the database yet: close it rather than leak it with the error.
    await otel?.shutdown();
    await database.close();
    throw error;
  }
  const plans = new PlansService({
    store: new TypeOrmPlanStore(database.dataSource),
    tasks,
    follow: (taskId) => engine.follow(taskId, 'now'),
    config,
    now: options.now,
    logger,
  });
  const reviews = new ReviewService({
    config,
    projects,
    agents,
    store: new TypeOrmReviewStore(database.dataSource),
    events,
    telemetry,
    rules,
    git: new ReviewGit(env),
    redact: (text) => redactor.text(text),
    // `[review] act`: issues through the server's GitHub token, a fix task through the engine.
    actions: new ReviewActions({
      settings: config.review,
      github: githubClient,
      originUrl: (root) => worktrees.originUrl(root),
      engine,
      tasks,
      redact: (text) => redactor.text(text),
    }),
    now: options.now,
  });
  const syncProjects = () =>
    projects.syncFromConfig(
      config.projects.map((p) => ({
        name: p.name,
        root: p.root,
        isDefault: p.default,
        defaultAgent: p.default_agent,
        maxConcurrent: p.max_concurrent,
        repo: p.repo,
        baseBranch: p.base_branch,
        origin: 'config' as const,
        active: true,
      })),
    );

  const now = options.now ?? (() => new Date());
  const github = createGitHubIntake({
    config,
    store: new TypeOrmGitHubIntakeStore(database.dataSource),
    github: githubClient,
    engine,
    tasks,
    projects,
    originUrl: (root) => worktrees.originUrl(root),
    telemetry,
    redact: (text) => redactor.text(text),
    now,
    logger,
  });
  let eventListener: PgListener | undefined;
  if (eventBus !== undefined) {
    try {
      eventListener = await listenPostgres(
        database.dataSource,
        TASK_EVENTS_CHANNEL,
        (payload) => {
          eventBus.received(payload);
        },
        { logger },
      );
    } catch (error) {
      await otel?.shutdown();
      await database.close();
      throw error;
    }
  }
  const jobRunner = new JobRunner({ events, now, redact: (text) => redactor.text(text), logger, storageFailed });
  const fleet = new FleetService({
    registry: new TypeOrmFleetRegistry(database.dataSource),
    serverId: engine.serverId,
    slots: config.concurrency.max_concurrent_tasks,
    database: database.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite',
    now,
    logger,
    storageFailed,
  });
  const jobs: HarnessJobs = {
    runner: jobRunner,
    configured: () =>
      configuredJobs(
        { config, projects, events, telemetry, rules, gc, skills, reviews, now },
        github.job === undefined ? [] : [github.job],
      ),
  };

  return {
    config,
    operations: bindOperations({
      engine,
      tasks,
      plans,
      usage,
      rules,
      skills,
      gc,
      events,
      agents,
      projects,
      projectAdmin,
      reviews,
      fleet,
    }),
    database,
    tasks,
    projects,
    agents,
    sandbox,
    engine,
    projectAdmin,
    events,
    telemetry,
    rules,
    skills,
    gc,
    plans,
    reviews,
    github,
    jobs,
    fleet,
    usage,
    syncProjects,
    start: async () => {
      // This process runs tasks: the queue depth is exported from now on.
      otel?.activate();
      // On a full disk (or a read-only database) the server still starts, says so once, and does
      // these writes when storage is back; dispatch waits for them.
      const orOnceStorageIsBack = async (step: () => Promise<void>): Promise<void> => {
        try {
          await step();
        } catch (error) {
          if (engine.storage?.failed(error) !== true) throw error;
          engine.afterStorageBack(step);
        }
      };
      await orOnceStorageIsBack(syncProjects);
      const report = await engine.start();
      await orOnceStorageIsBack(() => fleet.start());
      if (report.requeued.length + report.failed.length > 0) {
        logger?.log(
          `recovered after a restart: requeued ${report.requeued.join(', ') || 'none'}; failed ${report.failed.join(', ') || 'none'}`,
        );
      }
      // Links whose task ended while nobody watched are settled; the others are watched.
      await plans.reconcile();
      // Replies owed on GitHub from before the restart are posted; running tasks are followed.
      await github.start();
      return report;
    },
    drain: async (deadlineMs) => {
      await fleet.draining();
      await engine.drain(deadlineMs);
    },
    close: async () => {
      await plans.close();
      await github.close();
      await engine.stop();
      await notifier.close();
      await fleet.stop();
      await eventListener?.close();
      // Bounded: an unreachable collector never holds up the close.
      await otel?.shutdown();
      await jobRunner.idle();
      await telemetry.close();
      await database.close();
    },
  };
}

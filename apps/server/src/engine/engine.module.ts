import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { AgentRegistry, ShellCommandRunner } from '@agent-harness/agents';
import { commandEnv, SecretRedactor, secretValues, type HarnessConfig } from '@agent-harness/core';
import { GitHubClient } from '@agent-harness/github';
import { TypeOrmProjectCatalog, TypeOrmTaskRepository, type Database } from '@agent-harness/persistence';
import { ProjectAdmin, TaskEngine } from '@agent-harness/pipeline';
import { ProjectCatalog, TaskRepository } from '@agent-harness/queue';
import { inspectProjectDirectory } from '@agent-harness/runtime';
import { GitWorktreeManager } from '@agent-harness/workspace';
import { BASE_ENV, DATABASE, HARNESS_CONFIG } from '../core/tokens.js';

/** Puts the config file's projects in the catalog, then starts the engine (recovery first). */
@Injectable()
export class EngineLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TaskEngine');

  constructor(
    @Inject(HARNESS_CONFIG) private readonly config: HarnessConfig,
    private readonly projects: ProjectCatalog,
    private readonly engine: TaskEngine,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await (this.projects as TypeOrmProjectCatalog).syncFromConfig(
      this.config.projects.map((p) => ({
        name: p.name,
        root: p.root,
        isDefault: p.default,
        defaultAgent: p.default_agent,
        maxConcurrent: p.max_concurrent,
        repo: p.repo,
        baseBranch: p.base_branch,
        origin: 'config',
        active: true,
      })),
    );
    const report = await this.engine.start();
    if (report.requeued.length + report.failed.length > 0) {
      this.logger.warn(`recovered after a restart: requeued ${report.requeued.join(', ') || 'none'}; failed ${report.failed.join(', ') || 'none'}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engine.stop();
  }
}

/**
 * Every secret the configuration holds: never stored, streamed or prompted. Of the `env` tables,
 * the values whose names say they are secrets (an `ANTHROPIC_BASE_URL` or `HOME` is not).
 */
function harnessSecrets(config: HarnessConfig): (string | undefined)[] {
  const tables = [config.agents.claude.env, config.agents.codex.env, config.validation.env].flatMap((table) => secretValues(table, []));
  return [config.github.token, config.server.api_token, config.server.github_webhook_secret, config.agents.anthropic_api.api_key, ...tables];
}

/** Pushes over HTTPS to GitHub (or the Enterprise host of api_url) use the configured token. */
function gitCredentials(config: HarnessConfig): { token: string; hosts: string[] } | undefined {
  if (config.github.token === undefined) return undefined;
  let apiHost: string;
  try {
    apiHost = new URL(config.github.api_url).hostname;
  } catch {
    return undefined;
  }
  return { token: config.github.token, hosts: apiHost === 'api.github.com' ? ['github.com'] : [apiHost] };
}

/** Wires the task engine from the libraries: repository, catalog, worktrees, agents. */
@Module({
  providers: [
    { provide: TaskRepository, inject: [DATABASE], useFactory: (db: Database) => new TypeOrmTaskRepository(db.dataSource) },
    { provide: ProjectCatalog, inject: [DATABASE], useFactory: (db: Database) => new TypeOrmProjectCatalog(db.dataSource) },
    {
      provide: TaskEngine,
      inject: [HARNESS_CONFIG, BASE_ENV, TaskRepository, ProjectCatalog],
      useFactory: (config: HarnessConfig, env: Readonly<Record<string, string | undefined>>, tasks: TaskRepository, projects: ProjectCatalog) => {
        const logger = new Logger('TaskEngine');
        return new TaskEngine({
          tasks,
          projects,
          worktrees: new GitWorktreeManager({ worktreesDir: join(config.server.data_dir, 'worktrees'), env, credentials: gitCredentials(config) }),
          agents: AgentRegistry.fromConfig(config, env, config.server.data_dir),
          limits: { maxConcurrentTasks: config.concurrency.max_concurrent_tasks, maxQueueSize: config.concurrency.max_queue_size },
          validation: {
            preCommit: config.validation.pre_commit,
            prePush: config.validation.pre_push,
            timeoutMs: config.validation.timeout_secs * 1000,
            maxRetries: config.validation.max_retries,
          },
          github: config.github.token === undefined ? undefined : new GitHubClient({ apiUrl: config.github.api_url, token: config.github.token }),
          review: { enabled: config.agents.review.enabled, reviewerAgent: config.agents.review.reviewer_agent, maxRounds: config.agents.review.max_rounds },
          // Validation runs project code: an allow-listed environment, never the server's.
          commands: new ShellCommandRunner(commandEnv(env, config.validation.env)),
          redactor: new SecretRedactor(secretValues(env, harnessSecrets(config))),
          logger: {
            log: (message) => {
              logger.log(message);
            },
            error: (message) => {
              logger.error(message);
            },
          },
        });
      },
    },
    {
      provide: ProjectAdmin,
      inject: [HARNESS_CONFIG, BASE_ENV, ProjectCatalog, TaskRepository],
      useFactory: (config: HarnessConfig, env: Readonly<Record<string, string | undefined>>, projects: ProjectCatalog, tasks: TaskRepository) => {
        const worktrees = new GitWorktreeManager({ worktreesDir: join(config.server.data_dir, 'worktrees'), env });
        return new ProjectAdmin({
          projects,
          tasks,
          inspectDirectory: (path) => inspectProjectDirectory(path, env),
          removeStaleWorktrees: async (root) => {
            await worktrees.removeStaleWorktrees(root);
          },
        });
      },
    },
    EngineLifecycle,
  ],
  exports: [TaskRepository, ProjectCatalog, TaskEngine, ProjectAdmin],
})
export class EngineModule {}

import type { AgentRegistry } from '@agent-harness/agents';
import { AppError, branchNameProblem } from '@agent-harness/core';
import type { GitHubClient } from '@agent-harness/github';
import type { Project, TaskRequest } from '@agent-harness/queue';
import type { GitWorktreeManager } from '@agent-harness/workspace';
import { projectRepository } from './project-repository.js';

/** What the admission check reads. */
export interface AdmissionCheckDeps {
  readonly agents: AgentRegistry;
  readonly github?: GitHubClient | undefined;
  readonly worktrees: Pick<GitWorktreeManager, 'originUrl'>;
  readonly now: () => Date;
  /** Why the configured OS sandbox cannot start here (with the fix), or undefined when it can. */
  readonly sandboxRefusal?: (() => Promise<string | undefined>) | undefined;
}

/**
 * Refuses at admission a task that could never run (see docs/review.md), so the user hears it at
 * once, with the fix, instead of from a task that fails minutes later.
 */
export class AdmissionCheck {
  /** Which agents are installed, looked up at most every few seconds (admission is a hot path). */
  private availability: { at: number; available: ReadonlySet<string> } | undefined;

  constructor(private readonly deps: AdmissionCheckDeps) {}

  private availableAgents(): ReadonlySet<string> {
    const now = this.deps.now().getTime();
    if (this.availability === undefined || now - this.availability.at > 5000) {
      const available = new Set(this.deps.agents.availability().flatMap((a) => (a.available ? [a.name] : [])));
      this.availability = { at: now, available };
    }
    return this.availability.available;
  }

  /**
   * Refuses at admission what could never run, so the user hears it at once instead of from a
   * failed task: an agent name that is not configured, no installed agent, an OS sandbox that
   * cannot start, an issue or PR task without a GitHub token or repository.
   */
  async check(input: TaskRequest, project: Project): Promise<void> {
    checkSeed(input);
    const names = this.deps.agents.names();
    if (input.agent !== undefined && input.agent !== 'auto' && !names.includes(input.agent)) {
      const missing = this.deps.agents.missingCredential(input.agent);
      const hint = missing === undefined ? '' : ` (${input.agent} needs ${missing.env} in the server's environment)`;
      throw new AppError(
        'INVALID_ARGUMENT',
        `agent: unknown agent "${input.agent}"; configured: ${names.join(', ')}, or auto${hint}`,
      );
    }
    const available = this.availableAgents();
    const [wanted, source] =
      input.agent !== undefined
        ? [input.agent, 'the task']
        : project.defaultAgent !== undefined
          ? [project.defaultAgent, `project "${project.name}" default_agent`]
          : [this.deps.agents.defaultAgent, '[agents] default_agent'];
    if (wanted !== 'auto' && !names.includes(wanted)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `agent: "${wanted}" (from ${source}) is not configured on this server; configured: ${names.join(', ')}`,
      );
    }
    if (wanted !== 'auto' && !available.has(wanted)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `agent: ${wanted} (from ${source}) is not installed on this server: install it, set [agents.${wanted}] cli_path, or choose another agent`,
      );
    }
    if (available.size === 0) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `agent: no agent is available on this server: ${this.deps.agents.noAgentHint()}, then restart`,
      );
    }
    // Nothing runs unsandboxed by accident: without the sandbox its mode needs, no task is taken.
    const refusal = await this.deps.sandboxRefusal?.();
    if (refusal !== undefined) throw new AppError('AGENT_UNAVAILABLE', refusal);
    if (input.kind === 'prompt') return;
    if (this.deps.github === undefined) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `${input.kind}: ${input.kind === 'issue' ? 'issue' : 'pull request'} tasks need GitHub access: start the server with GITHUB_TOKEN set`,
      );
    }
    if ((await projectRepository(project, (root) => this.deps.worktrees.originUrl(root))) === undefined) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `project: "${project.name}" has no GitHub repository: set repo = "owner/name" for it, or an origin remote on GitHub`,
      );
    }
  }
}

/** The most a seed may hold: a draft's artifacts, bounded where the draft is made too. */
const MAX_SEED_BYTES = 2 * 1024 * 1024;

/** A head branch and a seed belong to prompt tasks (GC adoption) and must be safe to hand to git. */
function checkSeed(input: TaskRequest): void {
  if (input.headBranch === undefined && input.seed === undefined) return;
  if (input.kind !== 'prompt')
    throw new AppError('INVALID_ARGUMENT', `headBranch and seed are for prompt tasks, not ${input.kind} tasks`);
  if (input.headBranch !== undefined) {
    const problem = branchNameProblem(input.headBranch);
    if (problem !== undefined) throw new AppError('INVALID_ARGUMENT', `headBranch: ${problem}`);
  }
  const seed = input.seed;
  if (seed === undefined) return;
  const bytes = [...seed.files.map((f) => f.path + f.content), ...seed.patches].reduce(
    (sum, text) => sum + Buffer.byteLength(text),
    0,
  );
  if (bytes > MAX_SEED_BYTES)
    throw new AppError('INVALID_ARGUMENT', `seed: ${String(bytes)} bytes, more than ${String(MAX_SEED_BYTES)}`);
}

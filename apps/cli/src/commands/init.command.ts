import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { commandEnv, resolveConfig, type HarnessConfig } from '@agent-harness/core';
import { parseGitHubRemote } from '@agent-harness/github';
import { validationCommands } from '@agent-harness/validation';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import { findAgents } from '../serve/agent-versions.js';

interface InitFlags {
  out?: string | undefined;
}

/** A project name from a folder name: the characters `[[projects]] name` allows. */
function projectNameOf(folder: string): string {
  const name = folder.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name === '' ? 'app' : name.slice(0, 100);
}

/** A git answer in `cwd`, or undefined when git fails (not a repository, no such remote). */
function gitOf(cwd: string, env: CliContext['env'], args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', cwd, ...args], {
      env: commandEnv(env),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    }).trim();
  } catch {
    return undefined;
  }
}

const toml = (value: string): string => JSON.stringify(value);

/** The commented file `harness init` writes, from what it found. */
function configText(found: {
  readonly root: string;
  readonly name: string;
  readonly repo: string | undefined;
  readonly baseBranch: string | undefined;
  readonly agents: readonly { name: string; version?: string | undefined }[];
  readonly noAgentHint: string;
  readonly checks: readonly string[];
  readonly dataDir: string;
}): string {
  const agentLine =
    found.agents.length === 0
      ? [`# No agent found: ${found.noAgentHint}.`, '# default_agent = "claude"']
      : [
          `# Found: ${found.agents.map((a) => `${a.name}${a.version === undefined ? '' : ` (${a.version})`}`).join(', ')}.`,
          `default_agent = ${toml(found.agents[0]?.name ?? 'auto')}`,
        ];
  const checks =
    found.checks.length === 0
      ? ['# No language found at the top of the repository: name the checks a change must pass.', '# pre_commit = []']
      : [
          '# Empty, Harness runs what it detects at the top of the repository now:',
          ...found.checks.map((c) => `#   ${c}`),
          '# Name your own to replace them, e.g. pre_commit = ["npm run lint", "npm test"].',
          '# pre_commit = []',
        ];
  return [
    // Quoted as TOML quotes it: a newline in a folder name cannot start a line of TOML here.
    `# Harness configuration for ${toml(found.root)}, written by \`harness init\`.`,
    '# Check it with `harness doctor --config <this file>`, then run `harness serve --config <this file>`.',
    '# Every key with its default: config/default.toml; the reference: docs/configuration.md.',
    '# Keep secrets out of this file: GITHUB_TOKEN (issues, pull requests, reviews), HARNESS_API_TOKEN',
    '# (required when the server listens beyond 127.0.0.1) and ANTHROPIC_API_KEY come from the environment.',
    '',
    '[server]',
    '# Where the API and the dashboard listen (127.0.0.1: this machine only).',
    '# http_addr = "127.0.0.1:9800"',
    `# data_dir = ${toml(found.dataDir)}   # database, worktrees, logs`,
    '',
    '[agents]',
    ...agentLine,
    '# The OS sandbox agents and project commands run in: "read-only", "workspace-write" or "danger-full-access".',
    '# sandbox_mode = "workspace-write"',
    '',
    '[validation]',
    '# Checks a change must pass before it is committed; a failure goes back to the agent.',
    ...checks,
    '',
    '[[projects]]',
    `name = ${toml(found.name)}`,
    `root = ${toml(found.root)}`,
    found.repo === undefined
      ? '# repo = "owner/name"   # the GitHub repository; none found in the origin remote'
      : `repo = ${toml(found.repo)}   # from the origin remote`,
    found.baseBranch === undefined
      ? '# base_branch = "main"   # default: origin\'s default branch'
      : `# base_branch = ${toml(found.baseBranch)}   # default: origin's default branch (found: ${found.baseBranch})`,
    '',
  ].join('\n');
}

/**
 * `harness init`: a first configuration for the repository this runs in (its root, its GitHub
 * repository, the agents installed, the checks detected), written to `harness.toml` or `--out`.
 * An existing file is never overwritten, and nothing is written unless the file is valid.
 */
export function initCommand(ctx: CliContext): CommandBody<InitFlags> {
  return {
    builder: (y) =>
      y.option('out', {
        type: 'string',
        describe: 'The file to write (default: harness.toml in the current directory)',
      }),
    handler: async (argv) => {
      const out = resolve(ctx.cwd, argv.out ?? 'harness.toml');
      if (existsSync(out)) {
        ctx.stderr.write(`harness: ${out} exists; init never overwrites a file (move it, or pass --out)\n`);
        ctx.exitCode = 1;
        return;
      }
      const root = gitOf(ctx.cwd, ctx.env, ['rev-parse', '--show-toplevel']);
      if (root === undefined || !isAbsolute(root)) {
        ctx.stderr.write(
          `harness: ${ctx.cwd} is not in a git repository; run harness init inside the repository Harness should work on\n`,
        );
        ctx.exitCode = 2;
        return;
      }
      const origin = gitOf(root, ctx.env, ['remote', 'get-url', 'origin']);
      const repo = origin === undefined ? undefined : parseGitHubRemote(origin);
      const head = gitOf(root, ctx.env, ['symbolic-ref', '--short', 'refs/remotes/origin/HEAD']);
      const defaults = resolveConfig({ env: ctx.env, homeDir: ctx.homeDir, cwd: ctx.cwd });
      if (!defaults.ok) throw defaults.error;
      const config: HarnessConfig = defaults.value;
      const { agents, noAgentHint } = await findAgents(config, ctx.env, root);
      const text = configText({
        root,
        name: projectNameOf(basename(root)),
        repo: repo === undefined ? undefined : `${repo.owner}/${repo.repo}`,
        baseBranch: head?.replace(/^origin\//, ''),
        agents,
        noAgentHint,
        checks: validationCommands([], readdirSync(root)).commands,
        dataDir: config.server.data_dir,
      });
      // What is written must load as it is: checked first, as `config check` would.
      const written = resolveConfig({ file: { path: out, text }, env: ctx.env, homeDir: ctx.homeDir, cwd: ctx.cwd });
      if (!written.ok) throw written.error;
      writeFileSync(out, text, { flag: 'wx' });
      ctx.stdout.write(
        [
          `wrote ${out}: project ${toml(projectNameOf(basename(root)))} at ${root}${repo === undefined ? '' : ` (${repo.owner}/${repo.repo})`}`,
          `agents: ${agents.length === 0 ? `none found (${noAgentHint})` : agents.map((a) => a.name).join(', ')}`,
          `next: harness doctor --config ${argv.out ?? 'harness.toml'} && harness serve --config ${argv.out ?? 'harness.toml'}`,
          '',
        ].join('\n'),
      );
    },
  };
}

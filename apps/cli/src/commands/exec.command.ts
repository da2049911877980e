import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SANDBOX_MODES, type HarnessConfig, type SandboxMode } from '@agent-harness/core';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import { loadConfigFromFlags, type ConfigFlags } from '../config-options.js';
import { endedMessage, startOneShotRun } from '../exec/one-shot-run.js';
import { ProgressView } from '../exec/progress-view.js';
import { reportError } from '../exit-codes.js';
import { projectDirectory } from '../project-directory.js';

interface ExecFlags extends Pick<ConfigFlags, 'config'> {
  /** The words of the prompt: one quoted argument, or several unquoted ones. */
  prompt?: (string | number)[] | undefined;
  /** Words after `--`: a prompt that starts with "-". */
  '--'?: (string | number)[] | undefined;
  agent?: string | undefined;
  model?: string | undefined;
  project?: string | undefined;
  'sandbox-mode'?: string | undefined;
  'output-file'?: string | undefined;
  json?: boolean | undefined;
}

/** The directory to work in: a configured project's root by name, else a directory path. */
function resolveProject(
  config: HarnessConfig,
  ctx: CliContext,
  project: string | undefined,
): { root: string; defaultAgent?: string | undefined } {
  return project === undefined ? { root: ctx.cwd } : projectDirectory(config, ctx, project, '--project');
}

/** The prompt: its words and any words after `--`, joined by spaces; undefined when blank. */
function promptOf(argv: Pick<ExecFlags, 'prompt' | '--'>): string | undefined {
  const prompt = [...(argv.prompt ?? []), ...(argv['--'] ?? [])].join(' ');
  return prompt.trim() === '' ? undefined : prompt;
}

export function execCommand(ctx: CliContext): CommandBody<ExecFlags> {
  return {
    builder: (y) =>
      y
        .positional('prompt', {
          type: 'string',
          array: true,
          describe: 'What the agent should do, best quoted (one that starts with "-" goes after --)',
        })
        .option('config', { type: 'string', describe: 'TOML configuration file' })
        .option('agent', {
          type: 'string',
          describe: 'claude, codex, anthropic-api, or auto (default: [agents] default_agent)',
        })
        .option('model', {
          type: 'string',
          describe: "Model name passed to the agent (default: the agent's default_model)",
        })
        .option('project', {
          type: 'string',
          describe: 'A configured project name or a directory (default: the current directory)',
        })
        .option('sandbox-mode', {
          type: 'string',
          choices: [...SANDBOX_MODES],
          describe: 'Sandbox policy (default: [agents] sandbox_mode)',
        })
        .option('output-file', {
          type: 'string',
          describe: 'Also write the final answer to this file (must be inside the project)',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: "Print the agent's events as JSON lines instead, as a task's stream carries them",
        })
        .check(
          (argv) =>
            promptOf(argv) !== undefined ||
            'name a prompt: harness exec "PROMPT" (one that starts with "-" goes after --: harness exec -- "--verbose is broken")',
        ),
    handler: async (argv) => {
      const prompt = promptOf(argv);
      const config = loadConfigFromFlags(ctx, { config: argv.config });
      if (config === undefined || prompt === undefined) return;
      try {
        // Loaded here so other commands start without the agent SDKs.
        const { resolvePathInside } = await import('@agent-harness/agents');
        const project = resolveProject(config, ctx, argv.project);
        // Checked before the run, so a bad path costs no agent time.
        const outputFile =
          argv['output-file'] === undefined ? undefined : resolvePathInside(project.root, argv['output-file']);
        const controller = new AbortController();
        const { agent, run } = await startOneShotRun(config, ctx, {
          prompt,
          root: project.root,
          agent: argv.agent,
          projectDefaultAgent: project.defaultAgent,
          model: argv.model,
          sandboxMode: argv['sandbox-mode'] as SandboxMode | undefined,
          signal: controller.signal,
        });
        const view =
          argv.json === true ? undefined : new ProgressView(ctx.stderr, ctx.stderrIsTerminal, agent, project.root);
        const subscription = run.events$.subscribe((event) => {
          // The `data` of the task stream's `agent` events (GET /tasks/:id/stream): one parser reads both.
          if (view === undefined) ctx.stdout.write(`${JSON.stringify({ role: 'implementer', agent, ...event })}\n`);
          else view.show(event);
        });
        void ctx.stopSignal().then(() => {
          controller.abort();
        });
        const result = await run.result;
        subscription.unsubscribe();
        view?.stop();
        if (outputFile !== undefined) {
          mkdirSync(dirname(outputFile), { recursive: true });
          writeFileSync(outputFile, result.finalText.endsWith('\n') ? result.finalText : `${result.finalText}\n`);
        }
        if (view !== undefined && result.finalText !== '') ctx.stdout.write(`${result.finalText}\n`);
        if (!result.ok) {
          ctx.stderr.write(`harness: ${endedMessage(agent, result)}\n`);
          ctx.exitCode = result.reason === 'cancelled' ? 130 : result.reason === 'unavailable' ? 2 : 1;
        }
      } catch (error) {
        reportError(ctx, error);
      }
    },
  };
}

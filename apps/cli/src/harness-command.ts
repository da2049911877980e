import { randomUUID } from 'node:crypto';
import type { HarnessConfig } from '@agent-harness/core';
import type { ScannedProject } from '@agent-harness/app';
import type { Harness } from '@agent-harness/runtime';
import type { Argv } from 'yargs';
import type { CliContext } from './cli-context.js';
import { withConfigOptions, type ConfigFlags } from './config-options.js';
import { projectDirectory } from './project-directory.js';

/** Flags of the commands that work on one project of the configuration, in this process. */
export interface ProjectFlags extends ConfigFlags {
  /** The positional PROJECT (`--project` is the config flag that adds projects). */
  PROJECT?: string | undefined;
  json?: boolean | undefined;
}

/** PROJECT: a configured project's name or a directory; absent: the default project, else the current directory. */
export function scannedProject(config: HarnessConfig, ctx: CliContext, given: string | undefined): ScannedProject {
  const fallback = (config.projects.find((p) => p.default) ?? config.projects[0])?.name ?? '.';
  const { name, root } = projectDirectory(config, ctx, given ?? fallback, 'project');
  return { name, root };
}

/** A Harness on the configured database for one command (no dispatching, no background jobs), closed after. */
export async function withHarness<T>(
  ctx: CliContext,
  config: HarnessConfig,
  work: (harness: Harness) => Promise<T>,
): Promise<T> {
  // Loaded here, not at the top: the composition root (database, agents, GitHub, telemetry) is most
  // of the CLI's start-up, and `--help` or the client commands never need it.
  const { createHarness } = await import('@agent-harness/runtime');
  // Its own lease owner: a server starting meanwhile never recovers this command's task as its own.
  const harness = await createHarness(config, {
    env: ctx.env,
    homeDir: ctx.homeDir,
    serverId: `cli-${randomUUID()}`,
  });
  try {
    return await work(harness);
  } finally {
    await harness.close();
  }
}

/** The PROJECT positional and `--json`, with the config flags. */
export const projectArgument = <T>(y: Argv<T>) =>
  withConfigOptions(y)
    .positional('PROJECT', {
      type: 'string',
      describe: 'A configured project name or a directory (default: the default project, else .)',
    })
    .option('json', { type: 'boolean', default: false, describe: 'Print JSON' });

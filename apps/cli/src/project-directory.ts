import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { AppError, type HarnessConfig } from '@agent-harness/core';
import type { CliContext } from './cli-context.js';

/** A project a command works on: its name (a configured one's, else the folder's), root and agent. */
export interface ProjectDirectory {
  readonly name: string;
  readonly root: string;
  readonly defaultAgent?: string | undefined;
}

/**
 * `given` is a configured project's name, else a directory (relative to the current one); a
 * directory that is a configured project's root keeps that project's name. `what` names the
 * argument in the error (`--project`, `project`).
 */
export function projectDirectory(
  config: HarnessConfig,
  ctx: CliContext,
  given: string,
  what: string,
): ProjectDirectory {
  const named = config.projects.find((p) => p.name === given);
  if (named !== undefined) return { name: named.name, root: named.root, defaultAgent: named.default_agent };
  const root = resolve(ctx.cwd, given);
  let isDirectory = false;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    // Reported below.
  }
  if (!isDirectory)
    throw new AppError(
      'INVALID_ARGUMENT',
      `${what} ${given}: no configured project has that name and ${root} is not a directory`,
    );
  const configured = config.projects.find((p) => resolve(p.root) === root);
  return { name: configured?.name ?? basename(root), root, defaultAgent: configured?.default_agent };
}

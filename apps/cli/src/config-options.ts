import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HarnessConfig } from '@agent-harness/core';
// The subpath, not the barrel: reading the configuration must not load the whole composition root.
import { loadConfig } from '@agent-harness/runtime/config';
import type { Argv } from 'yargs';
import type { CliContext } from './cli-context.js';

/** The flags every command that reads the configuration accepts. */
export interface ConfigFlags {
  config?: string | undefined;
  transport?: string | undefined;
  port?: number | undefined;
  project?: string[] | undefined;
  'default-project'?: string | undefined;
  'project-root'?: string | undefined;
}

export function withConfigOptions<T>(yargs: Argv<T>): Argv<T & ConfigFlags> {
  return yargs
    .option('config', { type: 'string', describe: 'TOML configuration file (defaults apply without one)' })
    .option('transport', { type: 'string', choices: ['stdio', 'http', 'web_socket'], describe: 'Server transport' })
    .option('port', {
      type: 'number',
      describe: 'HTTP port (overrides the port of [server] http_addr; 0 picks a free one)',
    })
    .option('project', {
      type: 'string',
      array: true,
      describe: 'A project as NAME=PATH (repeatable; wins over [[projects]] of the same name)',
    })
    .option('default-project', { type: 'string', describe: 'Name of the project used when a request names none' })
    .option('project-root', { type: 'string', describe: 'Single-project mode: this repository is the only project' });
}

/** Loads the configuration the flags describe; on problems prints them all and returns undefined. */
export function loadConfigFromFlags(ctx: CliContext, flags: ConfigFlags): HarnessConfig | undefined {
  const result = loadConfig({
    configPath: flags.config,
    cli: {
      transport: flags.transport,
      port: flags.port,
      projects: flags.project,
      defaultProject: flags['default-project'],
      projectRoot: flags['project-root'],
    },
    env: ctx.env,
    cwd: ctx.cwd,
    homeDir: ctx.homeDir,
  });
  // `harness init` writes ./harness.toml; a command run without --config next to one is told, not
  // left to run with the defaults as if the file were not there.
  if (flags.config === undefined && existsSync(join(ctx.cwd, 'harness.toml')))
    ctx.stderr.write('harness: ./harness.toml is not read by itself: pass --config harness.toml\n');
  if (result.ok) {
    // Keys of the original harness: renamed or ignored, said once, with why.
    if (result.notes.length > 0)
      ctx.stderr.write(
        `harness: warning: ${flags.config ?? 'the config'} has keys of the original harness: ${result.notes.join('; ')}\n`,
      );
    return result.value;
  }
  ctx.stderr.write(`harness: ${result.error.message}\n`);
  ctx.exitCode = 2;
  return undefined;
}

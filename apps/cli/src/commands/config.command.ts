import { formatConfigToml, redactConfig } from '@agent-harness/core';
import type { CommandModule } from 'yargs';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import { loadConfigFromFlags, withConfigOptions, type ConfigFlags } from '../config-options.js';

function showCommand(ctx: CliContext): CommandModule<object, ConfigFlags & { json?: boolean }> {
  return {
    command: 'show',
    describe: 'Print the resolved configuration (defaults, file, environment and flags), secrets redacted',
    builder: (y) =>
      withConfigOptions(y).option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of TOML' }),
    handler: (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      ctx.stdout.write(
        argv.json === true ? `${JSON.stringify(redactConfig(config), null, 2)}\n` : formatConfigToml(config),
      );
    },
  };
}

function checkCommand(ctx: CliContext): CommandModule<object, ConfigFlags & { json?: boolean }> {
  return {
    command: 'check',
    describe: 'Validate the configuration and the project directories; exit 2 listing every problem',
    builder: (y) =>
      withConfigOptions(y).option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print {"valid": true, "projects": […]} when valid (problems still go to stderr, exit 2)',
      }),
    handler: (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      if (argv.json === true) {
        const projects = config.projects.map((p) => ({ name: p.name, root: p.root, default: p.default }));
        ctx.stdout.write(`${JSON.stringify({ valid: true, projects }, null, 2)}\n`);
        return;
      }
      const projects = config.projects.map((p) => `${p.name}${p.default ? ' (default)' : ''}`);
      ctx.stdout.write(
        `configuration is valid: ${String(config.projects.length)} project(s)${projects.length > 0 ? `: ${projects.join(', ')}` : ''}\n`,
      );
    },
  };
}

export function configCommand(ctx: CliContext): CommandBody<object> {
  return {
    builder: (y) =>
      y.command(showCommand(ctx)).command(checkCommand(ctx)).demandCommand(1, 'name a config command: show, check'),
    handler: () => undefined,
  };
}

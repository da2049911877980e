import { AppError } from '@agent-harness/core/errors';
import type { Argv } from 'yargs';
import type { CliContext } from '../cli-context.js';
import { HarnessClient } from './harness-client.js';

// The flags of every command that talks to a running server (`tasks`, `usage`, `fleet status`),
// and the client they name.

export interface ServerFlags {
  server?: string | undefined;
  /** A config file the server's address and token are read from, as `serve` reads them. */
  config?: string | undefined;
  json?: boolean | undefined;
}

const DEFAULT_SERVER = 'http://127.0.0.1:9800';

export function withServer<T>(y: Argv<T>): Argv<T & ServerFlags> {
  return y
    .option('server', {
      type: 'string',
      describe: `Harness server URL (default: --config's, else HARNESS_SERVER or ${DEFAULT_SERVER}); token from HARNESS_API_TOKEN`,
    })
    .option('config', {
      type: 'string',
      describe: "The server's config file: its address ([server] http_addr) and token (api_token), as serve reads them",
    })
    .option('json', { type: 'boolean', default: false, describe: "Print the server's JSON" });
}

/** The address a client reaches a server listening on `host:port` at: a wildcard host is this machine. */
function addressOf(httpAddr: string): string {
  const at = httpAddr.lastIndexOf(':');
  const host = httpAddr.slice(0, at);
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host;
  return `http://${reachable}:${httpAddr.slice(at + 1)}`;
}

/**
 * The client of the server the flags name: `--server`, else the one `--config` describes (its
 * address and token, as `serve` reads them), else HARNESS_SERVER or the default.
 */
export async function clientFor(ctx: CliContext, flags: ServerFlags): Promise<HarnessClient> {
  if (flags.server === undefined && flags.config !== undefined) {
    // Loaded only here: the other client commands start without the configuration code.
    const { loadConfig } = await import('@agent-harness/runtime/config');
    const loaded = loadConfig({ configPath: flags.config, env: ctx.env, cwd: ctx.cwd, homeDir: ctx.homeDir });
    if (!loaded.ok) throw new AppError('INVALID_ARGUMENT', loaded.error.message);
    const config = loaded.value;
    if (config.server.http_addr.endsWith(':0'))
      throw new AppError(
        'INVALID_ARGUMENT',
        `${flags.config}: [server] http_addr has port 0; name the server with --server`,
      );
    return new HarnessClient(addressOf(config.server.http_addr), config.server.api_token);
  }
  const url = (flags.server ?? ctx.env['HARNESS_SERVER'] ?? DEFAULT_SERVER).replace(/\/+$/, '');
  return new HarnessClient(url, ctx.env['HARNESS_API_TOKEN']);
}

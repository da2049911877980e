import { AppError, SecretRedactor, secretValues, type HarnessConfig } from '@agent-harness/core';
import type { CliContext } from '../cli-context.js';
import type { CommandBody } from '../lazy-command.js';
import { loadConfigFromFlags, type ConfigFlags } from '../config-options.js';
import { reportError } from '../exit-codes.js';
import type { TaskBackend } from '../mcp/task-backend.js';

/** How long stopping may take (running tasks are stopped and requeued) before the process just ends. */
const SHUTDOWN_CAP_MS = 15_000;

type McpServerFlags = Pick<ConfigFlags, 'config' | 'project' | 'default-project' | 'project-root'> & {
  url?: string | undefined;
};

/** The server URL from `--url`, else HARNESS_URL; a message when it is not an http(s) URL. */
function serverUrl(ctx: CliContext, flag: string | undefined): { url?: string; problem?: string } {
  const given = flag ?? ctx.env['HARNESS_URL'];
  if (given === undefined) return {};
  const what = flag === undefined ? 'HARNESS_URL' : '--url';
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return { problem: `${what} ${given} is not a URL (e.g. http://127.0.0.1:9800)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { problem: `${what} ${given} must be an http:// or https:// URL` };
  if (url.username !== '' || url.password !== '')
    return { problem: `${what} must not hold credentials; the token comes from HARNESS_API_TOKEN` };
  return { url: given.replace(/\/+$/, '') };
}

/** Every secret this process knows (configured, and from its environment), kept out of tool results. */
function redactorFor(config: HarnessConfig, env: CliContext['env']): SecretRedactor {
  const tables = [config.agents.claude.env, config.agents.codex.env, config.validation.env].flatMap((table) =>
    secretValues(table, []),
  );
  return new SecretRedactor(
    secretValues(env, [
      config.github.token,
      config.server.api_token,
      config.server.github_webhook_secret,
      config.agents.anthropic_api.api_key,
      ...tables,
    ]),
  );
}

async function withCap(work: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new AppError('INTERNAL', `${what} did not finish within ${String(ms / 1000)} s`));
    }, ms);
  });
  try {
    await Promise.race([work, cap]);
  } finally {
    clearTimeout(timer);
  }
}

export function mcpServerCommand(ctx: CliContext): CommandBody<McpServerFlags> {
  return {
    builder: (y) =>
      y
        .option('config', { type: 'string', describe: 'TOML configuration file (defaults apply without one)' })
        .option('url', {
          type: 'string',
          describe:
            'Send tasks to the Harness server at this URL (default: HARNESS_URL; token from HARNESS_API_TOKEN); without it, tasks run in this process',
        })
        .option('project', {
          type: 'string',
          array: true,
          describe: 'A project as NAME=PATH (repeatable; wins over [[projects]] of the same name)',
        })
        .option('default-project', { type: 'string', describe: 'Name of the project used when a call names none' })
        .option('project-root', {
          type: 'string',
          describe: 'Single-project mode: this repository is the only project',
        })
        .check((argv) => serverUrl(ctx, argv.url).problem ?? true),
    handler: async (argv) => {
      const config = loadConfigFromFlags(ctx, argv);
      if (config === undefined) return;
      const { url } = serverUrl(ctx, argv.url);
      // stdout carries the protocol only: everything else is a line on stderr.
      const log = (line: string): void => {
        ctx.stderr.write(`harness mcp-server: ${line}\n`);
      };
      let backend: TaskBackend | undefined;
      let isStopping = false;
      try {
        // The MCP SDK, zod and (without --url) the composition root load only when this command runs.
        if (url === undefined) {
          const { InProcessTaskBackend } = await import('../mcp/in-process-task-backend.js');
          backend = await InProcessTaskBackend.start(config, {
            env: ctx.env,
            homeDir: ctx.homeDir,
            logger: { log, error: log },
          });
        } else {
          const { RemoteTaskBackend } = await import('../mcp/remote-task-backend.js');
          backend = new RemoteTaskBackend(url, ctx.env['HARNESS_API_TOKEN']);
        }
        const [{ StdioServerTransport }, { createHarnessMcpServer }] = await Promise.all([
          import('@modelcontextprotocol/sdk/server/stdio.js'),
          import('../mcp/harness-mcp-server.js'),
        ]);
        log(backend.description);
        const stopping = new AbortController();
        const server = createHarnessMcpServer({
          backend,
          config,
          ctx,
          redactor: redactorFor(config, ctx.env),
          log,
          stopping: stopping.signal,
        });
        // The client ends the session by closing our stdin; a signal ends it too.
        const stdin = process.stdin;
        const clientGone = new Promise<string>((resolve) => {
          stdin.once('end', () => {
            resolve('the client closed stdin');
          });
          server.server.onclose = () => {
            resolve('the connection closed');
          };
        });
        await server.connect(new StdioServerTransport(stdin, ctx.stdout));
        const why = await Promise.race([clientGone, ctx.stopSignal().then((signal) => `received ${signal}`)]);
        log(`${why}, stopping`);
        isStopping = true;
        stopping.abort();
        await server.close();
        stdin.destroy();
        await withCap(backend.close(), SHUTDOWN_CAP_MS, 'shutdown').catch((error: unknown) => {
          ctx.exitNow = true;
          throw error;
        });
        log('stopped');
      } catch (error) {
        reportError(ctx, error);
        if (!isStopping) await backend?.close().catch(() => undefined);
      }
    },
  };
}

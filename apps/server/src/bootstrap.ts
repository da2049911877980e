import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigError, isLoopbackHost, parseHostPort, type HarnessConfig } from '@agent-harness/core';
import type { Project } from '@agent-harness/queue';
import { createHarness } from '@agent-harness/runtime';
import { Logger, type LogLevel } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { AppModule } from './app.module.js';
import { RpcMethodTable } from './rpc/rpc-methods.js';
import { serveRpcStdio } from './rpc/rpc-stdio.js';
import { attachRpcWebSocket } from './rpc/rpc-websocket.js';
import { installHttpGuards } from './http/install-http-guards.js';
import { createServerLogger, requestLog, type LogFormat } from './logging/index.js';
import { DEFAULT_HEARTBEAT_MS } from './tasks/task-stream.js';

/** @public */
export interface BootstrapOptions {
  /** The environment to derive agents' and git's from (the CLI passes its own). Default: none. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Nest log levels; defaults to fatal errors, errors and warnings. */
  readonly logLevels?: readonly LogLevel[];
  /** Interval of the heartbeat comments on task streams. Default 15 s. */
  readonly sseHeartbeatMs?: number;
  /** Log lines as text (default) or one JSON object per line. Requests are logged at level `log`. */
  readonly logFormat?: LogFormat;
  /** Color the text log lines (for a terminal). Default: no colors. */
  readonly logColors?: boolean;
  /** Run the background jobs the configuration turns on (`[schedulers]`, `[review]`). Default true. */
  readonly schedulers?: boolean;
}

/** A running HTTP server. @public */
export interface RunningServer {
  /** Base URL it answers on, e.g. `http://127.0.0.1:9800` (the real port when 0 was asked for). */
  readonly url: string;
  /** Stops accepting requests, runs shutdown hooks and closes the database. */
  close(): Promise<void>;
  /** The projects it serves: from the configuration and those registered through the API. */
  projects(): Promise<readonly Project[]>;
}

/**
 * Refuses to expose the API beyond this machine without a token: anyone who can reach the port
 * could otherwise run agents with full access to the configured repositories.
 */
export function assertSafeBind(config: HarnessConfig): void {
  const { host } = parseHostPort(config.server.http_addr);
  if (!isLoopbackHost(host) && config.server.api_token === undefined) {
    throw new ConfigError([
      {
        path: 'server.api_token',
        message: `is required when server.http_addr (${config.server.http_addr}) is not a loopback address; set it or HARNESS_API_TOKEN`,
      },
    ]);
  }
}

/**
 * Starts the HTTP server for a resolved configuration: opens and migrates the database in
 * `data_dir`, then listens on `http_addr`.
 * @public
 */
export async function bootstrapServer(config: HarnessConfig, options: BootstrapOptions = {}): Promise<RunningServer> {
  assertSafeBind(config);
  const startedAt = Date.now();
  const logFormat = options.logFormat ?? 'text';
  const logger = createServerLogger(
    logFormat,
    options.logLevels ?? ['fatal', 'error', 'warn'],
    options.logColors ?? false,
  );
  const harness = await createNestHarness(config, options);
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({
        harness,
        startedAt,
        sseHeartbeatMs: options.sseHeartbeatMs ?? DEFAULT_HEARTBEAT_MS,
        schedulers: options.schedulers ?? true,
      }),
      {
        logger,
        bodyParser: false,
      },
    );
  } catch (error) {
    await harness.close();
    throw error;
  }
  // First, so requests the guards turn away are logged too.
  app.use(requestLog(logger, logFormat));
  installHttpGuards(app, config);
  const closeWebSockets = attachRpcWebSocket(app.getHttpServer(), {
    methods: app.get(RpcMethodTable),
    apiToken: config.server.api_token,
    capacity: config.server.notification_broadcast_capacity,
  });
  const { host, port } = parseHostPort(config.server.http_addr);
  try {
    await app.listen(port, host);
  } catch (error) {
    // Everything the Harness started (engine, schedulers, telemetry) stops before its database closes.
    await closeWebSockets();
    await app.close();
    await harness.close();
    throw error;
  }
  const address = app.getHttpServer().address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${String(address.port)}`,
    projects: () => harness.projects.list(),
    // The engine stops (its shutdown hook) before the database it writes to is closed.
    close: async () => {
      // Nothing new is claimed; running tasks finish within [server] drain_secs or go back to the queue.
      await harness.drain(config.server.drain_secs * 1000);
      // Open task streams end now: Nest closes the HTTP server (waiting for every connection)
      // before its shutdown hooks would end them.
      harness.engine.events.closeAll();
      await closeWebSockets();
      await app.close();
      await harness.close();
    },
  };
}

/** The Harness of a Nest entry point, logging through Nest's logger. */
function createNestHarness(config: HarnessConfig, options: BootstrapOptions) {
  const engineLogger = new Logger('TaskEngine');
  // The one composition root: Nest only hands its objects to controllers.
  return createHarness(config, {
    env: options.env ?? {},
    logger: {
      log: (message) => {
        engineLogger.log(message);
      },
      error: (message) => {
        engineLogger.error(message);
      },
    },
  });
}

/** @public */
export interface StdioOptions extends BootstrapOptions {
  readonly input: Readable;
  readonly output: Writable;
}

/** A running stdio server. @public */
export interface RunningStdioServer {
  /** Resolves when the client closed its end of `input` (or stopped reading). */
  readonly finished: Promise<void>;
  close(): Promise<void>;
}

/**
 * The stdio transport: the same Harness, engine and schedulers as `bootstrapServer`, with no
 * port; JSON-RPC one message per line on `input` / `output`. Logs go wherever the logger writes
 * (the CLI sends them to stderr), never to `output`.
 * @public
 */
export async function bootstrapStdio(config: HarnessConfig, options: StdioOptions): Promise<RunningStdioServer> {
  const startedAt = Date.now();
  const logger = createServerLogger(
    options.logFormat ?? 'text',
    options.logLevels ?? ['fatal', 'error', 'warn'],
    options.logColors ?? false,
    true,
  );
  const harness = await createNestHarness(config, options);
  let app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>>;
  try {
    app = await NestFactory.createApplicationContext(
      AppModule.forRoot({
        harness,
        startedAt,
        sseHeartbeatMs: DEFAULT_HEARTBEAT_MS,
        schedulers: options.schedulers ?? true,
      }),
      { logger },
    );
    await app.init();
  } catch (error) {
    await harness.close();
    throw error;
  }
  const finished = serveRpcStdio(options.input, options.output, {
    methods: app.get(RpcMethodTable),
    capacity: config.server.notification_broadcast_capacity,
  });
  return {
    finished,
    close: async () => {
      await app.close();
      await harness.close();
    },
  };
}

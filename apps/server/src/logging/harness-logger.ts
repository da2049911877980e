import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/** @public */
export type LogFormat = 'text' | 'json';

// Nest's own start-up chatter ("Mapped {/tasks, GET} route", "… dependencies initialized"): the
// CLI prints one start-up block of its own instead.
const STARTUP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * Nest's console logger, prefixed "Harness", without the framework's start-up lines at level `log`
 * and without its copy of a listen failure: `listen()` rejects with that error, and whoever started
 * the server reports it once, in words (a busy port is one line, not a log record and a stack).
 */
class HarnessLogger extends ConsoleLogger {
  /** Set for the stdio transport, whose stdout carries JSON-RPC and nothing else. */
  allToStderr = false;

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, unknown>,
  ): void {
    super.printMessages(messages, context, logLevel, this.allToStderr ? 'stderr' : writeStreamType, errorStack, params);
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    if (STARTUP_CONTEXTS.has(contextOf(optionalParams))) return;
    super.log(message, ...optionalParams);
  }

  override error(message: unknown, ...optionalParams: unknown[]): void {
    if (
      contextOf(optionalParams) === 'NestApplication' &&
      typeof message === 'string' &&
      message.startsWith('Error: listen ')
    )
      return;
    super.error(message, ...optionalParams);
  }
}

/** Nest passes the context as the last argument. */
function contextOf(optionalParams: readonly unknown[]): string {
  const last = optionalParams.at(-1);
  return typeof last === 'string' ? last : '';
}

/**
 * The server's logger: text lines for people, or (`json`) one JSON object per line with the
 * structured fields spread into it (`{"level":"log","pid":…,"timestamp":…,"message":…,"context":"HTTP","method":…}`).
 */
export function createServerLogger(
  format: LogFormat,
  levels: readonly LogLevel[],
  colors = false,
  allToStderr = false,
): ConsoleLogger {
  // Colors only for a terminal: escape codes in a log file or journal are noise.
  const logger = new HarnessLogger({
    prefix: 'Harness',
    json: format === 'json',
    flattenParams: true,
    logLevels: [...levels],
    colors: colors && format === 'text',
  });
  logger.allToStderr = allToStderr;
  return logger;
}

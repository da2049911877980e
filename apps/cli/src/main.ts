#!/usr/bin/env node
import { homedir } from 'node:os';
import { HARNESS_VERSION } from '@agent-harness/core/version';
import type { CliContext } from './cli-context.js';

// `harness exec --json | head`: a reader that leaves early is not an error, the run still finishes.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

/** Signals this close together are one stop request delivered twice. */
const SAME_STOP_REQUEST_MS = 500;

// The only place the CLI reads the process's environment; everything below gets it as a value.
const cliContext = (): CliContext => ({
  env: process.env,
  cwd: process.cwd(),
  homeDir: homedir(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  stderrIsTerminal: process.stderr.isTTY,
  stdoutIsTerminal: process.stdout.isTTY,
  stopSignal: () =>
    new Promise((resolve) => {
      const stop = (signal: string): void => {
        // A second signal means "now": leave without waiting for a clean shutdown. But one Ctrl-C
        // can arrive twice (from the terminal, and forwarded by `npm start`): a repeat that close
        // to the first is the same request.
        const firstAt = Date.now();
        const now = (): void => {
          if (Date.now() - firstAt >= SAME_STOP_REQUEST_MS) process.exit(1);
        };
        process.on('SIGTERM', now);
        process.on('SIGINT', now);
        resolve(signal);
      };
      process.once('SIGTERM', () => {
        stop('SIGTERM');
      });
      process.once('SIGINT', () => {
        stop('SIGINT');
      });
    }),
  exitCode: 0,
});

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  // Answered before the command parser and the commands' modules load: that is most of the start-up.
  process.stdout.write(`${HARNESS_VERSION}\n`);
} else {
  const { runCli } = await import('./cli.js');
  const ctx = cliContext();
  const exitCode = await runCli(args, ctx);
  process.exitCode = exitCode;
  if (ctx.exitNow === true) process.exit(exitCode);
}

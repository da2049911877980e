import type { Readable, Writable } from 'node:stream';

/** Everything a command needs from the outside world, so tests can run the CLI in-process. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly homeDir: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** What the stdio transport reads JSON-RPC from (the process's stdin). */
  readonly stdin?: Readable | undefined;
  /** True when stderr is a terminal: progress is then redrawn in place. */
  readonly stderrIsTerminal: boolean;
  /** True when stdout is a terminal: the server's log lines are then colored. */
  readonly stdoutIsTerminal?: boolean;
  /** Resolves when the process is asked to stop (SIGTERM / SIGINT), with the signal's name. */
  readonly stopSignal: () => Promise<string>;
  /** Set by the command that ran. */
  exitCode: number;
  /**
   * Set when the process must end now rather than when its work drains (a shutdown that did not
   * finish within its cap leaves handles open that would keep it alive).
   */
  exitNow?: boolean;
}

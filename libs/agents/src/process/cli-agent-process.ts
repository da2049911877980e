import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  withLifeline,
  type AgentEndReason,
  type AgentEvent,
  type AgentOutcome,
  type CommandSpec,
  type SandboxedCommand,
} from '@agent-harness/core';
import { completedEvent, type AgentResult, type AgentRun } from '../agent-runner.js';
import { AgentEventReplay } from '../event-replay.js';
import { findExecutable } from './find-executable.js';
import { LineSplitter } from './line-splitter.js';
import { killTaskProcesses, type ProcessMarker } from './orphans.js';
import { killProcessGroup } from './process-group.js';

/** Turns an agent CLI's stdout, line by line, into normalized events. */
export interface StreamParser {
  push(line: string): AgentEvent[];
  /** What the stream itself said about the outcome, once it ended. */
  end(): StreamOutcome;
  /**
   * While the agent keeps failing to reach its model API (connection retries, nothing answered since),
   * its latest words about it; undefined once the model answers.
   */
  connectionFailure?(): string | undefined;
}

/** What a conversation talks to its agent with. */
export interface ConversationIo {
  /** Writes one line (one JSON-RPC message) to the agent's stdin. */
  write(line: string): void;
  /** Emits an event as it happens (not tied to one stdout line). */
  emit(event: AgentEvent): void;
}

/**
 * A parser that also talks: for agents driven over a protocol on stdin and stdout (the Agent Client
 * Protocol), whose stdin stays open. Its stdout lines still go through `push`.
 */
export interface Conversation extends StreamParser {
  /** Runs the turn once the process started; resolves when it is over (the process is then ended). */
  converse(io: ConversationIo): Promise<void>;
  /** Asks the agent to stop its turn; resolves when it did (bounded by the caller). */
  cancel(): Promise<void>;
}

function isConversation(parser: StreamParser): parser is Conversation {
  return 'converse' in parser;
}

/** How long a conversation's agent gets to stop its turn when cancelled, before its group is ended. */
const CANCEL_GRACE_MS = 3000;
/** How long an agent that ended its turn gets to exit once its stdin is closed. */
const EXIT_GRACE_MS = 2000;
/** The most input a conversation's agent may leave unread. */
const MAX_UNREAD_INPUT_BYTES = 8 * 1024 * 1024;

export interface StreamOutcome extends Omit<AgentOutcome, 'ok'> {
  /** Undefined when the stream never reached its final line. */
  readonly ok: boolean | undefined;
  readonly rateLimitResetAt?: string | undefined;
}

export interface CliAgentSpec {
  readonly agent: string;
  /** The config key a user sets to point at the binary, named when it is missing. */
  readonly configKey: string;
  /** How to install the CLI, said when it is missing. */
  readonly installHint?: string | undefined;
  readonly command: string;
  readonly args: readonly string[];
  /**
   * Written to the CLI's stdin, which is then closed. Prompts go this way: an argument is bounded
   * by the kernel's argument size (`spawn E2BIG` past about 128 KiB), stdin is not. Unused when the
   * parser is a `Conversation` (it writes to stdin itself).
   */
  readonly stdin?: string | undefined;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly parser: StreamParser;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Between SIGTERM and SIGKILL when the run is stopped. */
  readonly killGraceMs?: number | undefined;
  /**
   * The task marker in the run's environment: when the run ends, every process carrying it is
   * ended too, also those that left the agent's process group (`setsid`).
   */
  readonly marker?: ProcessMarker | undefined;
  /** How long the agent may keep failing to reach its model API before the run fails. Default 60 s. */
  readonly unreachableTimeoutMs?: number | undefined;
  /**
   * Puts the CLI into its OS sandbox just before it starts. A sandbox that cannot start fails the
   * run (`unavailable`, with the fix): nothing runs unsandboxed by accident.
   */
  readonly sandbox?: ((command: CommandSpec) => Promise<SandboxedCommand>) | undefined;
  /** Explains an exit without a final result from the CLI's stderr (a refused flag, a setup problem). */
  readonly explainExit?: ((stderrTail: string) => { reason: AgentEndReason; message: string } | undefined) | undefined;
}

/** Lines longer than this are dropped, not buffered without end. */
const MAX_LINE_CHARS = 10 * 1024 * 1024;
/** How much of stderr is kept for diagnostics. */
const STDERR_TAIL_CHARS = 16 * 1024;

type StopReason = 'timeout' | 'idle_timeout' | 'cancelled' | 'fatal' | 'unreachable';

/** How long an agent may keep failing to reach its model before the run fails: about a minute. */
const UNREACHABLE_TIMEOUT_MS = 60_000;

/**
 * Runs an agent CLI in its own process group, with stdin closed after the prompt (if any) is
 * written, parses its stdout live, and ends the whole group on cancel, on the total timeout, on the
 * idle-output timeout and when the model API stays unreachable. Stderr is only kept (bounded) for
 * diagnostics. The result always resolves; nothing here can hang forever.
 */
export function runCliAgent(spec: CliAgentSpec): AgentRun {
  const events$ = new AgentEventReplay();
  const startedAt = Date.now();
  const graceMs = spec.killGraceMs ?? 5000;

  const finish = (result: Omit<AgentResult, 'agent' | 'durationMs'>): AgentResult => {
    const full: AgentResult = { agent: spec.agent, durationMs: Date.now() - startedAt, ...result };
    events$.next(completedEvent(full));
    events$.complete();
    return full;
  };

  const executable = findExecutable(spec.command, spec.env['PATH'], spec.cwd);
  if (executable === undefined) {
    const where = spec.command.includes('/')
      ? `${spec.command} is not an executable file`
      : `"${spec.command}" is not on PATH`;
    const install = spec.installHint === undefined ? '' : ` (install: ${spec.installHint})`;
    const message = `${spec.agent} CLI not found: ${where}; install it or set ${spec.configKey}${install}`;
    // Said once: the completed event carries it (a separate error event would print it twice).
    const result = finish({ ok: false, reason: 'unavailable', message, finalText: '', usage: spec.parser.end().usage });
    return { events$: events$.events$, result: Promise.resolve(result) };
  }

  const cancelledBeforeStart = (): AgentResult =>
    finish({
      ok: false,
      reason: 'cancelled',
      message: 'cancelled before start',
      finalText: '',
      usage: spec.parser.end().usage,
    });
  const unwrapped: SandboxedCommand = {
    command: executable,
    args: spec.args,
    cwd: spec.cwd,
    env: spec.env,
    sandboxed: false,
    refused: () => [],
    dispose: () => Promise.resolve(),
  };
  const prepared: Promise<SandboxedCommand> =
    spec.signal?.aborted === true || spec.sandbox === undefined
      ? Promise.resolve(unwrapped)
      : spec.sandbox({ command: executable, args: spec.args, cwd: spec.cwd, env: spec.env });
  const result = prepared.then(
    (command) => {
      if (spec.signal?.aborted !== true) return launch(command);
      return command.dispose().then(cancelledBeforeStart);
    },
    (error: unknown) => {
      const why = error instanceof Error ? error.message : String(error);
      return finish({
        ok: false,
        reason: 'unavailable',
        message: `${spec.agent} cannot start in its sandbox: ${why}`,
        finalText: '',
        usage: spec.parser.end().usage,
      });
    },
  );
  return { events$: events$.events$, result };

  function launch(command: SandboxedCommand): Promise<AgentResult> {
    return new Promise<AgentResult>((resolve) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(command.command, [...command.args], {
          cwd: command.cwd,
          env: command.env,
          stdio: withLifeline(command, ['pipe', 'pipe', 'pipe']),
          detached: true,
        });
        child.stdio[3]?.on('error', () => undefined);
      } catch (error) {
        void command.dispose();
        // spawn throws at once for some failures (E2BIG, a bad cwd on some platforms): still a result.
        const message = `could not run ${spec.agent} (${executable}): ${error instanceof Error ? error.message : String(error)}`;
        resolve(finish({ ok: false, reason: 'failed', message, finalText: '', usage: spec.parser.end().usage }));
        return;
      }
      // The prompt, then end of input (Codex waits for it). A CLI that exits before reading (a refused
      // flag, a bad binary) closes the pipe: not our failure.
      child.stdin.on('error', () => undefined);
      const conversation = isConversation(spec.parser) ? spec.parser : undefined;
      if (conversation === undefined) child.stdin.end(spec.stdin ?? '');
      let stopReason: StopReason | undefined;
      let stopMessage = '';
      let spawnError: Error | undefined;
      let stderrTail = '';

      const stop = (reason: StopReason, message: string): void => {
        const pid = child.pid;
        if (stopReason !== undefined || pid === undefined) return;
        stopReason = reason;
        stopMessage = message;
        if (conversation === undefined) {
          void killProcessGroup(pid, graceMs);
          return;
        }
        // Asked first (the agent ends its turn and its tools), then ended whatever it still runs.
        void Promise.race([conversation.cancel().catch(() => undefined), delay(CANCEL_GRACE_MS)]).then(() =>
          killProcessGroup(pid, graceMs),
        );
      };

      const totalTimer = setTimeout(() => {
        stop('timeout', `timed out after ${formatSeconds(spec.timeoutMs)}`);
      }, spec.timeoutMs);
      let idleTimer = setTimeout(onIdle, spec.idleTimeoutMs);
      function onIdle(): void {
        stop('idle_timeout', `no output for ${formatSeconds(spec.idleTimeoutMs)} (idle timeout)`);
      }
      const onAbort = (): void => {
        stop('cancelled', 'cancelled');
      };
      spec.signal?.addEventListener('abort', onAbort, { once: true });

      const unreachableMs = spec.unreachableTimeoutMs ?? UNREACHABLE_TIMEOUT_MS;
      let unreachableTimer: NodeJS.Timeout | undefined;
      const onUnreachable = (): void => {
        const words = spec.parser.connectionFailure?.() ?? 'no answer';
        stop(
          'unreachable',
          `${spec.agent} cannot reach its model API (still failing after ${formatSeconds(unreachableMs)}): ${words}`,
        );
      };
      // The CLIs retry a dead connection for minutes (Codex forever): fail once that has lasted this long.
      const watchConnection = (): void => {
        if (spec.parser.connectionFailure?.() === undefined) {
          clearTimeout(unreachableTimer);
          unreachableTimer = undefined;
        } else {
          unreachableTimer ??= setTimeout(onUnreachable, unreachableMs);
        }
      };

      const handleLine = (line: string): void => {
        for (const event of spec.parser.push(line)) {
          events$.next(event);
          if (event.type === 'error' && event.fatal) stop('fatal', event.message);
        }
        watchConnection();
      };

      const lines = new LineSplitter(MAX_LINE_CHARS, handleLine, () => {
        events$.next({
          type: 'error',
          message: `dropped an output line longer than ${String(MAX_LINE_CHARS)} characters`,
          fatal: false,
        });
      });
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(onIdle, spec.idleTimeoutMs);
        lines.push(chunk);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
      });
      child.once('error', (error) => {
        spawnError = error;
      });

      if (conversation !== undefined) {
        const io: ConversationIo = {
          write: (line) => {
            if (!child.stdin.writable) return;
            child.stdin.write(`${line}\n`);
            // An agent that stops reading its input would have Harness hold what it is sent forever.
            if (child.stdin.writableLength > MAX_UNREAD_INPUT_BYTES)
              stop('fatal', `${spec.agent} stopped reading its input (over 8 MB unread)`);
          },
          emit: (event) => {
            events$.next(event);
            if (event.type === 'error' && event.fatal) stop('fatal', event.message);
          },
        };
        // The turn is over: end of input (agents exit on it), and the group ended if one does not.
        void conversation
          .converse(io)
          .catch(() => undefined)
          .then(() => {
            child.stdin.end();
            const pid = child.pid;
            if (pid !== undefined)
              setTimeout(() => {
                if (child.exitCode === null && child.signalCode === null) void killProcessGroup(pid, graceMs);
              }, EXIT_GRACE_MS).unref();
          });
      }

      // 'close' waits for every holder of the CLI's pipes: a process it started with setsid may hold
      // them forever. Once the CLI itself has exited, end its marked processes, and past a grace
      // period stop reading, so the run always ends.
      let pipesTimer: NodeJS.Timeout | undefined;
      // Awaited before the result: still scanning when the task's next run starts, it would end that
      // run's processes too (they carry the same marker).
      let exitCleanup: Promise<unknown> = Promise.resolve();
      child.once('exit', () => {
        if (spec.marker !== undefined)
          exitCleanup = killTaskProcesses({ marker: spec.marker, graceMs }).catch(() => undefined);
        pipesTimer = setTimeout(() => {
          for (const stream of child.stdio) stream?.destroy();
        }, graceMs + 1000);
      });

      child.once('close', (code, signal) => {
        clearTimeout(pipesTimer);
        clearTimeout(totalTimer);
        clearTimeout(idleTimer);
        clearTimeout(unreachableTimer);
        spec.signal?.removeEventListener('abort', onAbort);
        lines.end();
        // The CLI is gone; anything it started (shells, test runners) must not outlive it: its group,
        // then whatever carries the run's marker wherever it went.
        const cleanup = (child.pid === undefined ? Promise.resolve() : killProcessGroup(child.pid, graceMs))
          .then(async () => {
            if (spec.marker !== undefined) await killTaskProcesses({ marker: spec.marker, graceMs });
          })
          .catch(() => undefined)
          .then(() => exitCleanup)
          .then(() => command.dispose())
          .catch(() => undefined);
        void cleanup.then(() => {
          const refused = command.refused();
          if (refused.length > 0)
            events$.next({
              type: 'error',
              message: `the sandbox refused connections to ${refused.slice(0, 10).join(', ')}${refused.length > 10 ? ` and ${String(refused.length - 10)} more` : ''} (allow hosts with [sandbox] allowed_domains)`,
              fatal: false,
            });
          const outcome = spec.parser.end();
          const common = {
            finalText: outcome.finalText,
            sessionId: outcome.sessionId,
            usage: outcome.usage,
            costUsd: outcome.costUsd,
            rateLimitResetAt: outcome.rateLimitResetAt,
            exitCode: code,
            stderrTail: stderrTail === '' ? undefined : stderrTail,
          };
          // Exited by itself without a final result: the CLI may have said why on stderr.
          const explained =
            outcome.ok === undefined && stopReason === undefined ? spec.explainExit?.(stderrTail) : undefined;
          if (spawnError !== undefined) {
            resolve(
              finish({
                ...common,
                ok: false,
                reason: 'failed',
                message: `could not run ${spec.agent} (${executable}): ${spawnError.message}`,
              }),
            );
          } else if (stopReason === 'unreachable') {
            resolve(finish({ ...common, ok: false, reason: 'failed', message: stopMessage }));
          } else if (stopReason !== undefined && stopReason !== 'fatal') {
            resolve(finish({ ...common, ok: false, reason: stopReason, message: stopMessage }));
          } else if (explained !== undefined) {
            resolve(finish({ ...common, ok: false, ...explained }));
          } else if (outcome.ok === undefined || stopReason === 'fatal') {
            // 127 is the shell's "not found": in the sandbox, a program under /tmp is not there.
            const hidden =
              code === 127 && spec.sandbox !== undefined && /^\/(var\/)?tmp\//.test(executable ?? '')
                ? `: ${executable ?? spec.command} is under /tmp, which the sandbox gives every agent privately; move it elsewhere, or list its folder in [sandbox] allow_write`
                : '';
            const fallback = `${spec.agent} exited (${signal === null ? `code ${String(code)}` : `signal ${signal}`}) without a final result${lastLine(stderrTail)}${hidden}`;
            resolve(
              finish({
                ...common,
                ok: false,
                reason: outcome.ok === false ? outcome.reason : 'failed',
                message: outcome.message ?? (stopReason === 'fatal' ? stopMessage : fallback),
              }),
            );
          } else {
            resolve(finish({ ...common, ok: outcome.ok, reason: outcome.reason, message: outcome.message }));
          }
        });
      });
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${String(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function lastLine(text: string): string {
  const line = text.trim().split('\n').pop()?.trim() ?? '';
  return line === '' ? '' : `: ${line.slice(0, 500)}`;
}

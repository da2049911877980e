import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { AppError, commandEnv, type CommandSpec, type SandboxedCommand } from '@agent-harness/core';
import { normalizeRelativePath } from './glob.js';
import { parseGuardOutput, toViolations } from './guard-output.js';
import { runGuardProcess, type GuardProcessOutcome } from './guard-process.js';
import type { GuardProblem, GuardReport, GuardScanResult, Violation } from './guard.types.js';
import { isInside } from './read-rule-files.js';
import type { RuleCatalogue } from './rule-catalogue.js';

/** @public */
export interface RunGuardsOptions {
  readonly projectRoot: string;
  /** Default `<projectRoot>/.harness/guards`, which must resolve inside the project. */
  readonly guardsDir?: string | undefined;
  /** Project-relative files to check, passed after the root; none means the whole project. */
  readonly files?: readonly string[] | undefined;
  /** Per guard; default 60 s. */
  readonly timeoutMs?: number | undefined;
  /** Per guard stdout; default 1 MiB. */
  readonly maxOutputBytes?: number | undefined;
  readonly catalogue: RuleCatalogue;
  /**
   * The environment to derive the guards' from. Only the allow-list of `commandEnv`
   * (@agent-harness/core) reaches them, so secrets such as GITHUB_TOKEN stay out.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Added to the allow-listed environment as given (e.g. the project's configured env). */
  readonly extraEnv?: Readonly<Record<string, string>> | undefined;
  /**
   * Puts each guard into its OS sandbox (read-only, no network: `CommandSandbox.wrapCommand`). A
   * sandbox that cannot start is the guard's problem (`spawn_failed`); the guard does not run.
   */
  readonly sandbox?: ((command: CommandSpec) => Promise<SandboxedCommand>) | undefined;
}

/** @public */
export const DEFAULT_GUARD_TIMEOUT_MS = 60_000;
/** @public */
export const DEFAULT_GUARD_OUTPUT_BYTES = 1024 * 1024;
const MAX_GUARDS = 100;
const KILL_GRACE_MS = 1000;

/** One guard, in its sandbox when there is one. */
async function runGuard(
  spec: CommandSpec,
  options: Pick<RunGuardsOptions, 'sandbox'> & { timeoutMs: number; maxOutputBytes: number },
): Promise<GuardProcessOutcome> {
  let command: SandboxedCommand | undefined;
  try {
    command = await options.sandbox?.(spec);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      stdout: '',
      stderrTail: '',
      exitCode: null,
      signal: null,
      timedOut: false,
      outputLimited: false,
      spawnError: `it cannot start in its sandbox: ${why}`,
      durationMs: 0,
    };
  }
  const run = command ?? spec;
  try {
    return await runGuardProcess({
      executable: run.command,
      args: run.args,
      cwd: run.cwd,
      env: run.env,
      lifeline: command?.lifeline,
      timeoutMs: options.timeoutMs,
      maxOutputBytes: options.maxOutputBytes,
      killGraceMs: KILL_GRACE_MS,
    });
  } finally {
    await command?.dispose();
  }
}

interface GuardFile {
  readonly name: string;
  readonly executable: string;
}

/**
 * Runs every guard of a project, one after another: each executable in the guards directory is
 * started with cwd = the project root and arguments `[projectRoot, ...files]`, and each line it
 * prints as `FILE:LINE:RULE_ID:MESSAGE` becomes a violation rated by the catalogue's rule. The exit
 * code only matters when nothing was found. A guard that cannot run, times out, floods its output
 * or crashes is reported in `problems`; the scan goes on. Throws only for bad arguments (a missing
 * project root, a file outside it).
 * @public
 */
export async function runGuards(options: RunGuardsOptions): Promise<GuardScanResult> {
  const started = Date.now();
  const projectRoot = resolve(options.projectRoot);
  const realRoot = await realpath(projectRoot).catch((error: unknown) => {
    throw new AppError('INVALID_ARGUMENT', `project root ${projectRoot} cannot be read`, { cause: error });
  });
  const timeoutMs = positive(options.timeoutMs, DEFAULT_GUARD_TIMEOUT_MS, 'timeoutMs');
  const maxOutputBytes = positive(options.maxOutputBytes, DEFAULT_GUARD_OUTPUT_BYTES, 'maxOutputBytes');
  const files = (options.files ?? []).map(guardArgument);
  const env = commandEnv(options.env, options.extraEnv);
  const problems: GuardProblem[] = [];
  const guards: GuardReport[] = [];
  const violations: Violation[] = [];

  const guardFiles = await listGuards(options.guardsDir ?? join(projectRoot, '.harness', 'guards'), {
    confinedTo: options.guardsDir === undefined ? realRoot : undefined,
    problems,
  });
  for (const guard of guardFiles) {
    const outcome = await runGuard(
      { command: guard.executable, args: [projectRoot, ...files], cwd: projectRoot, env },
      { timeoutMs, maxOutputBytes, sandbox: options.sandbox },
    );
    if (outcome.spawnError !== undefined) {
      problems.push({
        guard: guard.name,
        kind: 'spawn_failed',
        message: `${guard.name} could not start: ${outcome.spawnError}`,
      });
      continue;
    }
    const parsed = parseGuardOutput(outcome.stdout, [projectRoot, realRoot]);
    const kept = toViolations(parsed.findings, options.catalogue, guard.name);
    violations.push(...kept.violations);
    guards.push({
      guard: guard.name,
      path: guard.executable,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      timedOut: outcome.timedOut,
      durationMs: outcome.durationMs,
      violations: kept.violations.length,
      malformedLines: parsed.malformedLines,
      malformedSamples: parsed.malformedSamples,
      outOfScope: kept.outOfScope,
    });
    const problem = outcomeProblem(guard.name, outcome, parsed.findings.length, timeoutMs);
    if (problem !== undefined) problems.push(problem);
  }
  return { violations, guards, problems, durationMs: Date.now() - started };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new AppError('INVALID_ARGUMENT', `${name} must be a positive number, not ${String(value)}`);
  }
  return value;
}

/** A file argument: relative, inside the project, and never mistaken for an option by the guard. */
function guardArgument(file: string): string {
  const relative = normalizeRelativePath(file);
  if (relative === undefined) {
    throw new AppError('INVALID_ARGUMENT', `file ${JSON.stringify(file)} is not a path inside the project`);
  }
  return relative.startsWith('-') ? `./${relative}` : relative;
}

function outcomeProblem(
  guard: string,
  outcome: GuardProcessOutcome,
  findings: number,
  timeoutMs: number,
): GuardProblem | undefined {
  const facts = { exitCode: outcome.exitCode, signal: outcome.signal, stderr: outcome.stderrTail };
  if (outcome.timedOut) {
    const message = `${guard} did not finish within ${String(timeoutMs)} ms and was killed; findings it printed before (${String(findings)}) are kept`;
    return { guard, kind: 'timeout', message, ...facts };
  }
  if (outcome.outputLimited) {
    return {
      guard,
      kind: 'output_limit',
      message: `${guard} printed more than the output limit and was killed`,
      ...facts,
    };
  }
  if (outcome.signal !== null) {
    return { guard, kind: 'crashed', message: `${guard} was ended by ${outcome.signal}`, ...facts };
  }
  if (outcome.exitCode !== 0 && findings === 0) {
    const why = outcome.stderrTail.trim() === '' ? '' : `: ${lastLine(outcome.stderrTail)}`;
    return {
      guard,
      kind: 'failed',
      message: `${guard} exited with ${String(outcome.exitCode)} and reported no finding${why}`,
      ...facts,
    };
  }
  return undefined;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}

/**
 * The guards of a directory, by name. Hidden files and `*.md` notes are not guards. A symlink must
 * stay inside the directory; a file without an execute bit is reported, not run.
 */
async function listGuards(
  dir: string,
  context: { confinedTo: string | undefined; problems: GuardProblem[] },
): Promise<GuardFile[]> {
  const report = (guard: string, kind: GuardProblem['kind'], message: string): void => {
    context.problems.push({ guard, kind, message });
  };
  let root: string;
  let names: string[];
  try {
    root = await realpath(dir);
    names = (await readdir(root)).sort();
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code !== 'ENOENT') report(basename(dir), 'unreadable', `cannot list guards in ${dir}: ${String(error)}`);
    return [];
  }
  if (context.confinedTo !== undefined && !isInside(root, context.confinedTo)) {
    report(basename(dir), 'unsafe_path', `guards directory ${dir} resolves to ${root}, outside the project; not run`);
    return [];
  }
  const guards: GuardFile[] = [];
  for (const name of names) {
    if (name.startsWith('.') || name.endsWith('.md')) continue;
    const path = join(root, name);
    try {
      const isLink = (await lstat(path)).isSymbolicLink();
      const target = isLink ? await realpath(path) : path;
      if (isLink && !isInside(target, root)) {
        report(name, 'unsafe_path', `guard ${name} is a symlink out of ${dir} (to ${target}); not run`);
        continue;
      }
      const info = await stat(target);
      if (info.isDirectory()) continue;
      if (!info.isFile() || (info.mode & 0o111) === 0) {
        report(
          name,
          'not_executable',
          `guard ${name} is not an executable file (chmod +x ${join(dir, name)}); not run`,
        );
        continue;
      }
      if (guards.length >= MAX_GUARDS) {
        report(name, 'too_many', `more than ${String(MAX_GUARDS)} guards in ${dir}; ${name} and later ones not run`);
        break;
      }
      guards.push({ name, executable: target });
    } catch (error) {
      report(name, 'unreadable', `cannot inspect guard ${name}: ${String(error)}`);
    }
  }
  return guards;
}

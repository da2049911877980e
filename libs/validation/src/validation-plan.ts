/** Languages Harness knows default checks for. @public */
export const LANGUAGES = ['rust', 'node', 'python', 'go'] as const;
/** @public */
export type Language = (typeof LANGUAGES)[number];

/** Which languages a project uses, from the names of the files at its top. @public */
export function detectLanguages(topLevelFiles: readonly string[]): Language[] {
  const has = (name: string): boolean => topLevelFiles.includes(name);
  const found: Language[] = [];
  if (has('Cargo.toml')) found.push('rust');
  if (has('package.json')) found.push('node');
  if (has('pyproject.toml') || has('setup.py') || has('setup.cfg') || has('requirements.txt')) found.push('python');
  if (has('go.mod')) found.push('go');
  return found;
}

/**
 * The checks run for a language when `[validation] pre_commit` is empty: formatting and compiling
 * where the toolchain has a check that needs nothing installed, and the project's own tests for
 * Node (after a clean `npm ci` when there is a lockfile).
 * @public
 */
export function defaultCommands(language: Language, topLevelFiles: readonly string[]): string[] {
  switch (language) {
    case 'rust':
      return ['cargo fmt --all -- --check', 'cargo check --all-targets --quiet'];
    case 'node':
      return [
        ...(topLevelFiles.includes('package-lock.json')
          ? ['npm ci --ignore-scripts --no-audit --no-fund --loglevel=error']
          : []),
        'npm test --if-present',
      ];
    case 'python':
      return ["python3 -m compileall -q -x '(^|/)\\.' ."];
    case 'go':
      return ['test -z "$(gofmt -l .)" || { gofmt -l .; echo "files above need gofmt"; exit 1; }', 'go vet ./...'];
  }
}

/** The commands to run: the configured ones, else the detected languages' defaults. @public */
export function validationCommands(
  configured: readonly string[],
  topLevelFiles: readonly string[],
): { commands: string[]; source: 'config' | 'detected' | 'none' } {
  if (configured.length > 0) return { commands: [...configured], source: 'config' };
  const commands = detectLanguages(topLevelFiles).flatMap((language) => defaultCommands(language, topLevelFiles));
  return { commands, source: commands.length > 0 ? 'detected' : 'none' };
}

/** How one command went. @public */
export interface CommandOutcome {
  readonly command: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** The end of its combined output. */
  readonly output: string;
  readonly durationMs: number;
  /**
   * Stopped because its task was cancelled (or its server stopped): it neither passed nor failed,
   * so it is no validation failure (telemetry and the health grade leave it out).
   */
  readonly cancelled?: boolean | undefined;
}

/** A command that ran and ended badly. @public */
export function failed(outcome: CommandOutcome): boolean {
  return outcome.timedOut || outcome.exitCode !== 0;
}

/** Runs shell commands in a directory with a timeout; implemented by infrastructure. @public */
export abstract class CommandRunner {
  /**
   * `env` is added to the runner's own (allow-listed) environment, e.g. the task's process marker.
   * On `signal`'s abort the command's whole process group is ended at once and the outcome says
   * `cancelled` (a signal aborted before the start runs nothing).
   */
  abstract run(
    command: string,
    options: {
      cwd: string;
      timeoutMs: number;
      env?: Readonly<Record<string, string>> | undefined;
      signal?: AbortSignal | undefined;
    },
  ): Promise<CommandOutcome>;
}

/**
 * Runs the commands in order, stopping at the first failure or at `signal`'s abort. Returns every
 * outcome; `cancelled` when the abort cut the checks short (the last outcome says so too).
 * @public
 */
export async function runChecks(
  runner: CommandRunner,
  commands: readonly string[],
  cwd: string,
  timeoutMs: number,
  env?: Readonly<Record<string, string>>,
  signal?: AbortSignal,
): Promise<{ ok: boolean; cancelled: boolean; outcomes: CommandOutcome[] }> {
  const outcomes: CommandOutcome[] = [];
  for (const command of commands) {
    if (signal?.aborted === true) return { ok: false, cancelled: true, outcomes };
    const outcome = await runner.run(command, { cwd, timeoutMs, env, signal });
    outcomes.push(outcome);
    if (outcome.cancelled === true) return { ok: false, cancelled: true, outcomes };
    if (failed(outcome)) return { ok: false, cancelled: false, outcomes };
  }
  return { ok: true, cancelled: false, outcomes };
}

/** What the agent is told when validation fails: which command, and the end of its output. @public */
export function fixPrompt(outcome: CommandOutcome, attempt: number, maxRetries: number): string {
  const how = outcome.timedOut ? 'did not finish in time' : `exited with code ${String(outcome.exitCode)}`;
  return [
    `Validation failed (fix attempt ${String(attempt)} of ${String(maxRetries)}): \`${outcome.command}\` ${how}.`,
    'Its output (the end of it) follows. Fix the cause in the code, not the check, then stop.',
    '```',
    outcome.output.trim(),
    '```',
  ].join('\n');
}

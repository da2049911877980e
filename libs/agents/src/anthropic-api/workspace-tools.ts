import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';
import type { CommandAccess, CommandSandbox, FileChange } from '@agent-harness/core';
import type Anthropic from '@anthropic-ai/sdk';
import { resolvePathInside } from '../process/paths.js';
import { ShellCommandRunner } from '../process/shell-command-runner.js';
import { asString, truncate } from '../process/json-line.js';

/** What a tool call returns to the model, and what it changed. */
export interface ToolOutcome {
  readonly ok: boolean;
  readonly output: string;
  readonly changes?: readonly FileChange[];
}

/** The tool definitions offered to the model (Anthropic Messages API `tools`). */
export const WORKSPACE_TOOLS: readonly Anthropic.Tool[] = [
  {
    name: 'list_files',
    description: 'List the entries of a directory of the working directory (folders end with "/").',
    input_schema: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Directory, relative to the working directory; default "."' },
      },
    },
  },
  {
    name: 'read_file',
    description: 'Read a text file of the working directory.',
    input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
  {
    name: 'write_file',
    description: 'Create or overwrite a file of the working directory (parent folders are created).',
    input_schema: {
      type: 'object',
      properties: { path: { type: 'string' }, content: { type: 'string' } },
      required: ['path', 'content'],
    },
  },
  {
    name: 'edit_file',
    description: 'Replace the single occurrence of old_text with new_text in a file of the working directory.',
    input_schema: {
      type: 'object',
      properties: { path: { type: 'string' }, old_text: { type: 'string' }, new_text: { type: 'string' } },
      required: ['path', 'old_text', 'new_text'],
    },
  },
  {
    name: 'run_command',
    description: 'Run a shell command (bash) in the working directory and return its exit code and output.',
    input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
  },
] as const;

const MAX_READ_BYTES = 256 * 1024;
const MAX_LIST_ENTRIES = 500;
const MAX_COMMAND_OUTPUT = 16 * 1024;

class ToolRefusal extends Error {}

/**
 * The agent's file and command tools, confined to one directory: any path that resolves outside it
 * (`..`, an absolute path, a symlink pointing out) is refused.
 */
export class WorkspaceTools {
  private readonly root: string;

  private readonly shell: ShellCommandRunner;

  /**
   * `access` `read-only`: `write_file` is refused and commands see the directory read-only (in the
   * sandbox, when there is one: `sandbox` wraps each command). Without `commands`, `run_command` is
   * refused (`approval_policy` `auto-edit`).
   */
  constructor(
    root: string,
    commandEnv: Readonly<Record<string, string>>,
    private readonly commandTimeoutMs: number,
    private readonly access: CommandAccess = 'workspace-write',
    sandbox?: CommandSandbox,
    private readonly commands = true,
  ) {
    this.root = realpathSync(root);
    this.shell = new ShellCommandRunner(
      commandEnv,
      sandbox === undefined ? undefined : (command) => sandbox.wrapCommand(command, access),
    );
  }

  async call(name: string, input: unknown, signal: AbortSignal): Promise<ToolOutcome> {
    const args = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
    try {
      switch (name) {
        case 'list_files':
          return this.list(asString(args['path']) ?? '.');
        case 'read_file':
          return this.read(required(args, 'path'));
        case 'write_file':
          return this.write(required(args, 'path'), required(args, 'content'));
        case 'edit_file':
          return this.edit(required(args, 'path'), required(args, 'old_text'), required(args, 'new_text'));
        case 'run_command':
          return await this.runCommand(required(args, 'command'), signal);
        default:
          return { ok: false, output: `unknown tool "${name}"` };
      }
    } catch (error) {
      return { ok: false, output: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The absolute path for `path`, which must stay inside the root even through symlinks. */
  resolveInside(path: string): string {
    try {
      return resolvePathInside(this.root, path);
    } catch (error) {
      throw new ToolRefusal((error as Error).message.replace(this.root, 'the working directory'));
    }
  }

  /**
   * A path the agent may write: inside the directory, and not git's (a `.git` file or directory
   * anywhere would point Harness's own git, which runs outside any sandbox, at the agent's config).
   */
  private resolveWritable(path: string): string {
    const file = this.resolveInside(path);
    if (relative(this.root, file).split(sep).includes('.git'))
      throw new ToolRefusal(`refused: ${path} is git's, not the agent's to write`);
    return file;
  }

  private list(path: string): ToolOutcome {
    const dir = this.resolveInside(path);
    const entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.name !== '.git')
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
      .sort();
    const shown = entries.slice(0, MAX_LIST_ENTRIES);
    const more = entries.length > shown.length ? `\n… ${String(entries.length - shown.length)} more` : '';
    return { ok: true, output: shown.join('\n') + more };
  }

  private read(path: string): ToolOutcome {
    const file = this.resolveInside(path);
    if (statSync(file).size > MAX_READ_BYTES)
      return { ok: false, output: `${path} is larger than ${String(MAX_READ_BYTES)} bytes` };
    return { ok: true, output: readFileSync(file, 'utf8') };
  }

  private write(path: string, content: string): ToolOutcome {
    if (this.access === 'read-only') throw new ToolRefusal('this run is read-only: files cannot be written');
    const file = this.resolveWritable(path);
    const existed = existsSync(file);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    return {
      ok: true,
      output: `wrote ${relative(this.root, file)} (${String(content.length)} characters)`,
      changes: [{ path: file, kind: existed ? 'update' : 'add' }],
    };
  }

  private edit(path: string, oldText: string, newText: string): ToolOutcome {
    if (this.access === 'read-only') throw new ToolRefusal('this run is read-only: files cannot be edited');
    const file = this.resolveWritable(path);
    const text = readFileSync(file, 'utf8');
    const count = oldText === '' ? 0 : text.split(oldText).length - 1;
    if (count !== 1)
      return { ok: false, output: `old_text occurs ${String(count)} times in ${path}; it must occur exactly once` };
    writeFileSync(
      file,
      text.replace(oldText, () => newText),
    );
    return { ok: true, output: `edited ${relative(this.root, file)}`, changes: [{ path: file, kind: 'update' }] };
  }

  /** Runs `bash -c` in its own process group, ended on timeout or when the run is aborted. */
  private async runCommand(command: string, signal: AbortSignal): Promise<ToolOutcome> {
    if (!this.commands) throw new ToolRefusal('this run may not run commands ([agents] approval_policy)');
    const outcome = await this.shell.run(command, { cwd: this.root, timeoutMs: this.commandTimeoutMs, signal });
    const status = outcome.timedOut
      ? `timed out after ${String(this.commandTimeoutMs / 1000)} s`
      : signal.aborted
        ? 'cancelled'
        : `exit code ${String(outcome.exitCode)}`;
    return {
      ok: !outcome.timedOut && !signal.aborted && outcome.exitCode === 0,
      output: `${status}\n${truncate(outcome.output, MAX_COMMAND_OUTPUT)}`,
    };
  }
}

function required(args: Record<string, unknown>, key: string): string {
  const value = args[key];
  if (typeof value !== 'string') throw new ToolRefusal(`missing string argument "${key}"`);
  return value;
}

import { isAbsolute, relative, sep } from 'node:path';
import type { AgentEvent } from '@agent-harness/core';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * One line describing an event for a person, or undefined for events shown only in the status
 * line. Paths are shown relative to `cwd` when it is given.
 */
export function describeEvent(event: AgentEvent, cwd?: string): string | undefined {
  switch (event.type) {
    case 'session_started':
      return `● session ${event.sessionId}${event.model === undefined ? '' : ` (${event.model})`}`;
    case 'text':
      return event.text.trim() === '' ? undefined : event.text.trim();
    case 'tool_call':
      return `→ ${event.name} ${summarizeInput(event.input, cwd)}`.trimEnd();
    case 'tool_result':
      return event.ok ? undefined : `  ✗ ${firstLine(event.output) || 'failed'}`;
    case 'file_change':
      return event.changes.map((c) => `✎ ${c.kind} ${shortPath(c.path, cwd)}`).join('\n');
    case 'rate_limited':
      return `⚠ rate limited: ${event.message}${event.resetAt === undefined ? '' : ` (resets ${event.resetAt})`}`;
    case 'error':
      return `⚠ ${event.message}`;
    case 'usage':
    case 'completed':
      return undefined;
  }
}

/**
 * A path as the user thinks of it: relative to the project when inside it. Agents report paths
 * either absolute or already relative to the project, never to the directory Harness was run from.
 */
function shortPath(path: string, cwd: string | undefined): string {
  if (cwd === undefined || !isAbsolute(path)) return path;
  const inside = relative(cwd, path);
  if (inside === '') return '.';
  return inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside) ? path : inside;
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 200);
}

function summarizeInput(input: unknown, cwd: string | undefined): string {
  if (typeof input !== 'object' || input === null) return '';
  const fields = input as Record<string, unknown>;
  for (const key of ['file_path', 'path', 'command', 'cmd', 'query', 'pattern']) {
    const value = fields[key];
    if (typeof value === 'string') return key.endsWith('path') ? shortPath(value, cwd) : firstLine(value);
  }
  return JSON.stringify(input).slice(0, 120);
}

/**
 * Live progress on stderr: one line per meaningful event, and on a terminal a status line
 * (spinner, agent, elapsed time, tokens) redrawn in place below them.
 */
export class ProgressView {
  private tokensIn = 0;
  private tokensOut = 0;
  private frame = 0;
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly isTerminal: boolean,
    private readonly agent: string,
    private readonly cwd: string,
  ) {
    if (isTerminal) {
      this.timer = setInterval(() => {
        this.drawStatus();
      }, 120);
    }
  }

  show(event: AgentEvent): void {
    if (event.type === 'usage') {
      this.tokensIn += event.inputTokens + event.cachedInputTokens + event.cacheWriteTokens;
      this.tokensOut += event.outputTokens;
    }
    const line = describeEvent(event, this.cwd);
    if (line === undefined) return;
    this.clearStatus();
    this.out.write(`${line}\n`);
    this.drawStatus();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.clearStatus();
  }

  private clearStatus(): void {
    if (this.isTerminal) this.out.write('\r\x1b[2K');
  }

  private drawStatus(): void {
    if (!this.isTerminal) return;
    const seconds = Math.floor((Date.now() - this.startedAt) / 1000);
    const spinner = SPINNER[this.frame++ % SPINNER.length] ?? '';
    this.out.write(
      `\r\x1b[2K${spinner} ${this.agent} · ${String(seconds)}s · ${String(this.tokensIn)} in / ${String(this.tokensOut)} out tokens`,
    );
  }
}

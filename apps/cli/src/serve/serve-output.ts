import type { Writable } from 'node:stream';

/** "text" for people, "json" for one JSON object per line (the server's own log lines look the same). */
export type ServeLogFormat = 'text' | 'json';

/**
 * What `harness serve` itself prints on stdout: plain lines, or in `json` format the shape of the
 * server's JSON log lines (`level`, `pid`, `timestamp`, `message`, `context`, then the fields).
 */
export class ServeOutput {
  constructor(
    private readonly out: Writable,
    private readonly format: ServeLogFormat,
    private readonly now: () => number = Date.now,
  ) {}

  info(message: string, fields: Readonly<Record<string, unknown>> = {}): void {
    if (this.format === 'text') {
      this.out.write(`${message}\n`);
      return;
    }
    const line = { level: 'log', pid: process.pid, timestamp: this.now(), message, context: 'Harness', ...fields };
    this.out.write(`${JSON.stringify(line)}\n`);
  }
}

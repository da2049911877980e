import { describeStorageFault, storageFaultOf, type StorageFaultInfo } from '@agent-harness/core';

/** Probes at most this often while storage is unavailable (every dispatcher tick asks). */
const PROBE_INTERVAL_MS = 1000;

/** @public */
export interface StorageGateDeps {
  /**
   * One small real write where Harness keeps its data (the data directory and the database);
   * rejects while the disk is full or read-only.
   */
  readonly probe: () => Promise<void>;
  /** Where the data is and how much room is left, for the log line (`/data: 0 B free of 8.0 MiB`). */
  readonly where?: (() => string | undefined) | undefined;
  readonly logger?: { log(message: string): void; error(message: string): void } | undefined;
  /** Milliseconds clock for spacing the probes. Default `Date.now`. */
  readonly clock?: (() => number) | undefined;
}

/**
 * Whether Harness can write now. A write that fails because the disk is full or the database is
 * read-only closes the gate (one log line): the dispatcher claims nothing while it is closed, and
 * background writers stay quiet about failures it explains. The dispatcher's ticks probe it; the
 * first probe write that succeeds opens it again (one log line).
 * @public
 */
export class StorageGate {
  private fault: StorageFaultInfo | undefined;
  private lastProbeAt = Number.NEGATIVE_INFINITY;
  private probing: Promise<boolean> | undefined;
  /** A probe failed for another reason while closed: said once, not every second. */
  private probeProblemSaid = false;
  private readonly clock: () => number;

  constructor(private readonly deps: StorageGateDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** True while writes fail for want of space or write access. */
  get closed(): boolean {
    return this.fault !== undefined;
  }

  /**
   * Looks at a failed write: when storage caused it (full disk, read-only database) the gate
   * closes, said once, and the answer is true; any other failure is the caller's to report.
   */
  failed(error: unknown): boolean {
    const info = storageFaultOf(error);
    if (info === undefined || info.fault === 'corrupt') return false;
    if (this.fault === undefined) {
      const where = this.deps.where?.();
      this.deps.logger?.error(
        `storage unavailable: ${describeStorageFault(info.fault)} (${info.code}${where === undefined ? '' : `; ${where}`}); ` +
          'dispatch paused, it resumes by itself once writes succeed again',
      );
      // The next probe waits its interval: the write that just failed was the probe.
      this.lastProbeAt = this.clock();
    }
    this.fault = info;
    return true;
  }

  /**
   * True when writes work: at once while the gate is open; while it is closed, after a probe write
   * succeeded (at most one probe per second; the others answer false).
   */
  async writable(): Promise<boolean> {
    if (this.fault === undefined) return true;
    if (this.probing !== undefined) return this.probing;
    if (this.clock() - this.lastProbeAt < PROBE_INTERVAL_MS) return false;
    this.lastProbeAt = this.clock();
    this.probing = this.probe().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private async probe(): Promise<boolean> {
    try {
      await this.deps.probe();
    } catch (error) {
      if (this.failed(error)) return false;
      // Some other failure: storage may be fine, but nothing proves it yet.
      if (!this.probeProblemSaid)
        this.deps.logger?.error(`storage probe: ${error instanceof Error ? error.message : String(error)}`);
      this.probeProblemSaid = true;
      return false;
    }
    this.fault = undefined;
    this.probeProblemSaid = false;
    this.deps.logger?.log('storage writable again: dispatch resumed');
    return true;
  }
}

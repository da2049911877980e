import { ZERO_USAGE, type AgentEvent, type AgentOutcome } from '@agent-harness/core';
import { ReplaySubject, type Observable } from 'rxjs';

/**
 * The fields of an `AgentRequest` (@agent-harness/agents) a scripted run reads. A structural
 * subset: this package cannot import @agent-harness/agents, whose own specs use it.
 * @public
 */
export interface ScriptedAgentRequest {
  readonly prompt: string;
  readonly cwd: string;
  readonly model?: string | undefined;
  readonly resumeSessionId?: string | undefined;
  readonly budgetUsd?: number | undefined;
  readonly maxTurns?: number | undefined;
  readonly env?: Readonly<Record<string, string>> | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** The shape of `AgentResult` (@agent-harness/agents): how a run ended, failures as data. @public */
export interface ScriptedAgentResult extends AgentOutcome {
  readonly agent: string;
  readonly rateLimitResetAt?: string | undefined;
  readonly durationMs: number;
  readonly exitCode?: number | null | undefined;
}

/** One scripted run: the events it emits, then how it ends. @public */
export interface AgentScript {
  /** Events before the closing `completed` one (which is added). */
  readonly events?: readonly AgentEvent[] | undefined;
  /** How it ends; default a successful run with `finalText: 'done'`. */
  readonly outcome?: Partial<AgentOutcome> | undefined;
  /** With a `rate_limited` outcome: when the limit resets (ISO 8601). */
  readonly rateLimitResetAt?: string | undefined;
  /** Keeps the run open (as a working agent) until `release()` or its request's signal aborts. */
  readonly hold?: boolean | undefined;
}

/** A run the runner was asked for, in order. @public */
export interface ScriptedAgentCall {
  readonly request: ScriptedAgentRequest;
  readonly script: AgentScript | undefined;
}

/**
 * An agent for unit tests that implements the `AgentRunner` port of @agent-harness/agents without
 * a child process: each `run` plays the next script (or the one `scripts` answers), emitting its
 * events and one `completed` event, and resolves the result as data (never a rejection). A run
 * whose request is aborted ends `cancelled`. A run without a script ends `failed`, saying so.
 * @public
 */
export class ScriptedAgentRunner {
  readonly calls: ScriptedAgentCall[] = [];
  private readonly held = new Set<() => void>();
  private readonly callWaiters: { count: number; resolve: () => void }[] = [];

  constructor(
    readonly name: string,
    private readonly scripts:
      readonly AgentScript[] | ((request: ScriptedAgentRequest, index: number) => AgentScript | undefined) = [{}],
  ) {}

  /** Runs held open (`hold: true`) and not yet released or aborted. */
  get holding(): number {
    return this.held.size;
  }

  /** Ends every held run as its script says. */
  release(): void {
    for (const finish of [...this.held]) finish();
  }

  /** Resolves once `count` runs have started: an event-driven wait for tests. */
  whenCalled(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.callWaiters.push({ count, resolve }));
  }

  run(request: ScriptedAgentRequest): {
    readonly events$: Observable<AgentEvent>;
    readonly result: Promise<ScriptedAgentResult>;
  } {
    const index = this.calls.length;
    const script = typeof this.scripts === 'function' ? this.scripts(request, index) : this.scripts[index];
    this.calls.push({ request, script });
    for (const waiter of this.callWaiters.filter((w) => this.calls.length >= w.count)) {
      this.callWaiters.splice(this.callWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const events$ = new ReplaySubject<AgentEvent>();
    // Held from the call on, so `holding` counts it at once.
    const held = script?.hold === true ? this.holdOpen(request.signal) : undefined;
    const result = this.play(script, index, request.signal, events$, held);
    return { events$: events$.asObservable(), result };
  }

  private async play(
    script: AgentScript | undefined,
    index: number,
    signal: AbortSignal | undefined,
    events$: ReplaySubject<AgentEvent>,
    held: Promise<void> | undefined,
  ): Promise<ScriptedAgentResult> {
    // Like a process, a run starts after the caller has subscribed.
    await Promise.resolve();
    for (const event of script?.events ?? []) {
      if (signal?.aborted === true) break;
      events$.next(event);
    }
    await held;
    const outcome = this.outcomeOf(script, index, signal);
    events$.next({ type: 'completed', ...outcome });
    events$.complete();
    const rateLimitResetAt = outcome.reason === 'rate_limited' ? script?.rateLimitResetAt : undefined;
    return {
      ...outcome,
      agent: this.name,
      durationMs: 0,
      exitCode: outcome.ok ? 0 : 1,
      ...(rateLimitResetAt === undefined ? {} : { rateLimitResetAt }),
    };
  }

  private holdOpen(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted === true) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        this.held.delete(finish);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      this.held.add(finish);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  private outcomeOf(script: AgentScript | undefined, index: number, signal: AbortSignal | undefined): AgentOutcome {
    const base = { finalText: '', usage: ZERO_USAGE };
    if (signal?.aborted === true) return { ...base, ok: false, reason: 'cancelled', message: 'the run was cancelled' };
    if (script === undefined)
      return {
        ...base,
        ok: false,
        reason: 'failed',
        message: `ScriptedAgentRunner "${this.name}": no script for run ${String(index + 1)}`,
      };
    return { ok: true, reason: 'completed', finalText: 'done', usage: ZERO_USAGE, ...script.outcome };
  }
}

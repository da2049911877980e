import type { ApprovalPolicy, SandboxMode } from '@agent-harness/core';

/** What an agent run may do without asking a person, under `[agents] approval_policy`. @public */
export interface ApprovalLimits {
  /** The run's sandbox mode: `suggest` makes it `read-only`. */
  readonly mode: SandboxMode;
  /** Whether the agent may run commands (shell, terminals): only under `full-auto`. */
  readonly commands: boolean;
}

/**
 * `[agents] approval_policy` for a run whose sandbox mode is `mode`. Harness runs agents unattended,
 * so an action the policy would ask a person about is refused instead: `suggest` lets an agent read
 * only, `auto-edit` read and edit files but run no command, `full-auto` also run commands (inside
 * the sandbox mode, which still bounds everything).
 * @public
 */
export function approvalLimits(policy: ApprovalPolicy | undefined, mode: SandboxMode): ApprovalLimits {
  return {
    mode: policy === 'suggest' ? 'read-only' : mode,
    commands: policy === undefined || policy === 'full-auto',
  };
}

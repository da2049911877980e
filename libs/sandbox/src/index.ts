export type { NetworkEndpoint, NetworkPolicy, SandboxPolicy } from './sandbox-policy.js';
export { bwrapArgs, BRIDGE_DIR_INSIDE } from './bwrap-command.js';
export type { BwrapPlan, PortForward } from './bwrap-command.js';
export { domainAllowed, isLoopback, NetworkBridge } from './network-bridge.js';
export { BubblewrapSandbox, SANDBOX_FIX } from './sandbox.js';
export type { SandboxAvailability } from './sandbox.js';
// What to run before the sandbox, and the command ready to spawn in it: the port's types, from core.
export type { CommandSpec, SandboxedCommand } from '@agent-harness/core';

export { SANDBOX_MODES } from './sandbox-policy.js';
export type { NetworkEndpoint, NetworkPolicy, SandboxMode, SandboxPolicy } from './sandbox-policy.js';
export { bwrapArgs, BRIDGE_DIR_INSIDE } from './bwrap-command.js';
export type { BwrapPlan, PortForward } from './bwrap-command.js';
export { domainAllowed, isLoopback, NetworkBridge } from './network-bridge.js';
export { BubblewrapSandbox, SANDBOX_FIX } from './sandbox.js';
export type { CommandSpec, SandboxAvailability, SandboxedCommand } from './sandbox.js';

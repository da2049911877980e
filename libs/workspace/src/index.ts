// Public API of @agent-harness/workspace.
export {};

// Public API of @agent-harness/agents.
export {};

// Public API of @agent-harness/github.
export {};
